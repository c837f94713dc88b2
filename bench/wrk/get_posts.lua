-- GET /api/v1/posts/{id}, cycling through the ids given after `--`, so that
-- the reads spread over many rows rather than one. With BENCH_BEARER set,
-- each request carries it as a bearer token.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local ids = {}
local bearer = os.getenv("BENCH_BEARER")
local headers = bearer and { ["Authorization"] = "Bearer " .. bearer } or nil
local next_index = 1

function init(args)
   math.randomseed(thread_id)
   for _, id in ipairs(args) do
      ids[#ids + 1] = id
   end
   next_index = math.random(#ids)
end

function request()
   next_index = next_index % #ids + 1
   return wrk.format("GET", "/api/v1/posts/" .. ids[next_index], headers)
end
