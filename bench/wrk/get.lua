-- GET of the URL given on the command line.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
