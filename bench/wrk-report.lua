-- Prints one JSON line when wrk finishes: throughput, errors and latency percentiles (µs).
-- `-- <ms>` after the URL paces each connection: it waits that long after each answer before
-- its next request (a fixed offered rate instead of saturation, for S1's latency).
local pause = 0
init = function(args)
  if args[1] then pause = tonumber(args[1]) end
end
delay = function()
  return pause
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"durationUs":%d,"socketErrors":%d,"non2xx":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
