-- wrk script: GET a random path from a file per request.
--   wrk ... -s bench/wrk-random-get.lua URL -- PATHS_FILE [BEARER_TOKEN]
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  assert(#paths > 0, "no paths in " .. tostring(args[1]))
  headers = {}
  if args[2] and #args[2] > 0 then
    headers["Authorization"] = "Bearer " .. args[2]
  end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
