-- wrk script: POST pre-generated signed pushes, each exactly once.
--   wrk -tTHREADS ... -s bench/wrk-push.lua URL -- BODIES.bin BODIES.idx API_KEY THREADS
-- Thread i of n sends records i*N/n .. (i+1)*N/n-1 (disjoint slices, so every request is a fresh
-- document), counts statuses, and stops when its slice is used up; the few requests its connections
-- still ask for then go to a path that answers 404 and are not counted (a push never answers 404).
-- done() prints one "LOCKER-PUSH-RESULT {json}" line.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } locker_timespec;
  int clock_gettime(int clk_id, locker_timespec *tp);
]]
local ts = ffi.new("locker_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
  table.insert(threads, thread)
end

function init(args)
  local bin_path, idx_path, api_key = args[1], args[2], args[3]
  local n = tonumber(args[4]) or 1
  local index = {}
  for line in io.lines(idx_path) do
    local offset, length, ctype = line:match("^(%d+) (%d+) (.+)$")
    index[#index + 1] = { tonumber(offset), tonumber(length), ctype }
  end
  local me = (thread_no or 1) - 1
  local first = math.floor(#index * me / n) + 1
  local last = math.floor(#index * (me + 1) / n)
  local f = assert(io.open(bin_path, "rb"))
  reqs = {}
  for i = first, last do
    local offset, length, ctype = index[i][1], index[i][2], index[i][3]
    f:seek("set", offset)
    local body = f:read(length)
    reqs[#reqs + 1] = wrk.format("POST", "/v1/issuer/documents",
      { ["Authorization"] = "Bearer " .. api_key, ["Content-Type"] = ctype }, body)
  end
  f:close()
  next_req = 1
  statuses = {}
  first_us = 0
  last_us = 0
  exhausted = false
  filler = wrk.format("GET", "/bench-filler-not-a-route")
end

function request()
  if next_req > #reqs then
    if not exhausted then
      exhausted = true
      wrk.thread:stop()
    end
    return filler
  end
  if first_us == 0 then first_us = now_us() end
  local r = reqs[next_req]
  reqs[next_req] = false -- let the GC take sent bodies
  next_req = next_req + 1
  return r
end

function response(status, headers, body)
  if status == 404 then return end -- a filler's answer
  last_us = now_us()
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local created, first, last, all, any_exhausted = 0, nil, 0, {}, false
  for _, t in ipairs(threads) do
    local s = t:get("statuses") or {}
    for k, v in pairs(s) do
      all[k] = (all[k] or 0) + v
    end
    local f, l = t:get("first_us"), t:get("last_us")
    if f and f > 0 and (first == nil or f < first) then first = f end
    if l and l > last then last = l end
    if t:get("exhausted") then any_exhausted = true end
  end
  created = all["201"] or 0
  local seconds = (first and last > first) and (last - first) / 1e6 or summary.duration / 1e6
  local e = summary.errors
  local parts = {}
  for k, v in pairs(all) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  io.write(string.format(
    'LOCKER-PUSH-RESULT {"created": %d, "seconds": %.3f, "p99_ms": %.3f, "statuses": {%s}, ' ..
    '"socket_errors": %d, "exhausted": %s, "requests": %d}\n',
    created, seconds, latency:percentile(99.0) / 1000, table.concat(parts, ", "),
    e.connect + e.read + e.write + e.timeout, tostring(any_exhausted), summary.requests))
end
