-- wrk script of the gateway bench (bench/gateway/run.sh): Segment tracking calls as SDKs send them.
--
--   BENCH_MODE=batch   POST /v1/batch, 20 track events of about 380 bytes each (~7.6 KB a request),
--                      application/json, write key in HTTP Basic auth (BENCH_AUTHORIZATION), as
--                      analytics-java / analytics-node / mobile SDKs post.
--   BENCH_MODE=single  POST /v1/t, one track event with its writeKey in the body, text/plain, as
--                      analytics.js sends it (text/plain avoids a CORS preflight).
--
-- Every event has a messageId of its own: BENCH_RUN (one per wrk run), the wrk thread and a counter.
-- Connections are keep-alive (wrk's default with HTTP/1.1).
--
-- BENCH_RATE_PER_THREAD (requests/s, optional): a constant-rate schedule per wrk thread, wrk2-style.
-- wrk has no rate option, so delay() hands each request the next free slot of its thread's schedule
-- (slot i at start + i / rate) and waits until then; a connection that is still waiting for its
-- answer simply takes a later slot. wrk's latency runs from the moment the request is written, so a
-- request sent late because every connection was busy does not count its wait (coordinated
-- omission): the bench compares the achieved rate with the asked one to show when that happened.
--
-- done() prints one line the bench parses: BENCH requests=... p50_us=... p99_us=...

local mode = os.getenv("BENCH_MODE") or "batch"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local auth = os.getenv("BENCH_AUTHORIZATION") or ""
local write_key = os.getenv("BENCH_WRITE_KEY") or "bench-write-key"
local rate = tonumber(os.getenv("BENCH_RATE_PER_THREAD") or "0")
local per_batch = 20
local ts = "2026-12-07T20:00:00.000Z"

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local seq = 0

-- 377 bytes as sent, about 430 once the gateway adds receivedAt and context.ip.
local function event(extra)
  seq = seq + 1
  return string.format('{"type":"track","event":"Order Completed","userId":"user-%d",'
    .. '"properties":{"orderId":"o-%d","total":129.95,"currency":"EUR","items":3,"coupon":"WINTER"},'
    .. '"context":{"library":{"name":"analytics.js","version":"1.0.0"},'
    .. '"userAgent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0","page":{"path":"/checkout"}},'
    .. '"messageId":"%s-%d-%d","timestamp":"%s"%s}', seq % 1024, seq, run, tid, seq, ts, extra)
end

local batch_headers = { ["Content-Type"] = "application/json", ["Authorization"] = auth }
local single_headers = { ["Content-Type"] = "text/plain" }
local single_extra = string.format(',"writeKey":"%s","sentAt":"%s"', write_key, ts)

function request()
  if mode == "single" then
    return wrk.format("POST", "/v1/t", single_headers, event(single_extra))
  end
  local parts = {}
  for i = 1, per_batch do
    parts[i] = event("")
  end
  return wrk.format("POST", "/v1/batch", batch_headers,
    '{"batch":[' .. table.concat(parts, ",") .. '],"sentAt":"' .. ts .. '"}')
end

local interval_us = 0
if rate > 0 then
  interval_us = 1000000 / rate
end
local next_slot = nil

-- Defined only when a rate is asked: wrk then arms a timer before every request, which costs
-- the load generator CPU that a peak run should not spend.
if interval_us > 0 then
  function delay()
    local now = now_us()
    if next_slot == nil then
      next_slot = now
    end
    next_slot = next_slot + interval_us
    local wait = (next_slot - now) / 1000
    if wait < 1 then
      return 0
    end
    return math.floor(wait)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
    .. " p50_us=%d p90_us=%d p99_us=%d max_us=%d\n", summary.requests, summary.duration, e.connect, e.read,
    e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
