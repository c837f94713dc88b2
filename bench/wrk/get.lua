-- GET of the URL given on the command line; with BENCH_IF_NONE_MATCH set,
-- conditional on that ETag.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local etag = os.getenv("BENCH_IF_NONE_MATCH")
if etag then
   wrk.headers["If-None-Match"] = etag
end
