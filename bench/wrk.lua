-- Request generator for wrk. Paths come from the file named by BENCH_PATHS (one per line, one
-- picked at random for each request); BENCH_METHOD and BENCH_BODY set the method and JSON body,
-- where "{n}" in the body becomes a number unique to the request and "{contact}" a contact id
-- picked at random from the file named by BENCH_IDS. At the end one line starting
-- with "BENCH " carries the figures as JSON for bench/run.py.

local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local ids = {}
local ids_file = os.getenv("BENCH_IDS")
if ids_file and #ids_file > 0 then
  for line in io.lines(ids_file) do
    if #line > 0 then ids[#ids + 1] = line end
  end
end
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body == "" then body = nil end
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
-- Rapport's requests carry an API token, as a real client's do (the baseline ignores it).
local token = os.getenv("BENCH_TOKEN")
if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(7919 * (thread_number or 1))
end

function request()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  if body then
    local text = body:gsub("{n}", (thread_number or 1) .. "-" .. counter)
    if #ids > 0 then text = text:gsub("{contact}", ids[math.random(#ids)]) end
    return wrk.format(method, path, headers, text)
  end
  return wrk.format(method, path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,'
      .. '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
