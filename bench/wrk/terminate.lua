-- wrk script for bench/run.sh: the terminate call (modern flavour) with its JSON body and headers (and the
-- caller's bearer token when BENCH_AUTHORIZATION is set), and a one-line JSON summary at the end
-- (requests, errors, non-2xx, latency percentiles in ms).
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete"
wrk.body = '{"credentials":{"type":"USERNAME_PASSWORD","user_name":"root","password":"vmware"}}'
wrk.headers["Content-Type"] = "application/json"
-- the session header a vAPI backend wants when it is called directly (legs a, b; leg v sets it itself); the gateway ignores it
wrk.headers["vmware-api-session-id"] = "sess-1"
-- leg e (caller authentication on): bench.py passes "Bearer <token>", the same token on every request
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
   wrk.headers["Authorization"] = authorization
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, t in ipairs(threads) do
      bad = bad + (t:get("non2xx") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, "non2xx": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "timeouts": %d, "mean_ms": %.3f, "p50_ms": %.3f, ' ..
      '"p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), bad,
      e.connect, e.read, e.write, e.timeout, latency.mean / 1000, latency:percentile(50) / 1000,
      latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
