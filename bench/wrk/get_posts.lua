-- GET /api/v1/posts/{id}, cycling through the ids given after `--`, so that
-- the reads spread over many rows rather than one.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local ids = {}
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
   return wrk.format("GET", "/api/v1/posts/" .. ids[next_index])
end
