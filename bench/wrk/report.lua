-- Shared by every scenario: numbers each thread (`thread_id`, also its
-- random seed), picks tag names, and, after the run, writes one JSON line
-- with the figures bench.py reads (latencies in microseconds).
function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
         .. '"non_2xx":%d,"socket_errors":%d}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99), latency.max,
      errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_id", threads)
end

-- `count` different entries of `list`, at random.
function pick_distinct(list, count)
   local picked, seen = {}, {}
   while #picked < count do
      local entry = list[math.random(#list)]
      if not seen[entry] then
         seen[entry] = true
         picked[#picked + 1] = entry
      end
   end
   return picked
end
