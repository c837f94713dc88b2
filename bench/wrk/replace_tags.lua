-- PATCH /api/v1/posts/{id} replacing the post's tags with five existing
-- ones. Arguments: admin token, then ids and names separated by "--names"
-- (names are JSON string literals).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local token, ids, names = nil, {}, {}

function init(args)
   math.randomseed(thread_id)
   token = args[1]
   local into = ids
   for i = 2, #args do
      if args[i] == "--names" then
         into = names
      else
         into[#into + 1] = args[i]
      end
   end
end

function request()
   local id = ids[math.random(#ids)]
   local body = string.format('{"tags":[%s]}', table.concat(pick_distinct(names, 5), ","))
   return wrk.format("PATCH", "/api/v1/posts/" .. id, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
   }, body)
end
