-- GET /api/v1/posts/{id}, cycling through the ids given after `--`, so that
-- the reads spread over many rows rather than one. With BENCH_BEARER set,
-- each request carries it as a bearer token. An id given as `ID|ETAG` is
-- asked for conditionally, with `If-None-Match: ETAG`.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local requests = {}
local bearer = os.getenv("BENCH_BEARER")
local next_index = 1

function init(args)
   math.randomseed(thread_id)
   for _, given in ipairs(args) do
      local id, etag = given:match("^([^|]+)|(.+)$")
      local headers = {}
      if bearer then
         headers["Authorization"] = "Bearer " .. bearer
      end
      if etag then
         headers["If-None-Match"] = etag
      else
         id = given
      end
      requests[#requests + 1] = wrk.format("GET", "/api/v1/posts/" .. id, headers)
   end
   next_index = math.random(#requests)
end

function request()
   next_index = next_index % #requests + 1
   return requests[next_index]
end
