-- POST /v1/shares/redeem with share tokens read from a file (one per line), round robin, so each
-- token's uses (1,000 at most) are spread out. Counts 200s and everything else.
--   wrk ... -s bench/wrk-redeem.lua URL -- TOKENS_FILE
local tokens = {}
local next_index = 1
ok, other = 0, 0  -- globals, so done() can read them per thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  assert(#tokens > 0, "no tokens")
  next_index = math.random(#tokens)
end

function request()
  local token = tokens[next_index]
  next_index = next_index % #tokens + 1
  return wrk.format("POST", "/v1/shares/redeem", {["Content-Type"] = "application/json"}, '{"token":"' .. token .. '"}')
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + (t:get("ok") or 0)
    total_other = total_other + (t:get("other") or 0)
  end
  io.write(string.format("redeem-ok %d redeem-other %d\n", total_ok, total_other))
end
