-- POST /api/v1/posts with five tags: three existing (picked from the names
-- given after `--`, which are JSON string literals) and two new ones.
-- Arguments: admin token, run id, names...
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local token, run, names = nil, nil, {}
local counter = 0

function init(args)
   math.randomseed(thread_id)
   token, run = args[1], args[2]
   for i = 3, #args do
      names[#names + 1] = args[i]
   end
end

function request()
   counter = counter + 1
   local id = string.format("%s %d %d", run, thread_id, counter)
   local tags = pick_distinct(names, 3)
   tags[#tags + 1] = string.format('"bench %s a"', id)
   tags[#tags + 1] = string.format('"bench %s b"', id)
   local body = string.format(
      '{"title":"Benchmark post %s","body":"Written by the benchmark.","status":"published","tags":[%s]}',
      id, table.concat(tags, ","))
   return wrk.format("POST", "/api/v1/posts", {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
   }, body)
end
