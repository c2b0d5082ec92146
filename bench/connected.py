#!/usr/bin/env python3
"""Connected features under load: 1,000 contacts created through the API while a webhook for
`contact.created` points at a local receiver (time from the first create to the last delivery
received, and whether any event was lost or delivered twice); then 200 open live event streams
(the server's resident memory before and after, whether each stream receives a change, and the
latency of a list request with and without the streams open)."""

import argparse
import json
import os
import socket
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import call, rss_kib  # noqa: E402


class Receiver(BaseHTTPRequestHandler):
    # Keep-alive, as a production endpoint behind any web server offers.
    protocol_version = "HTTP/1.1"
    seen = {}
    lock = threading.Lock()
    last = 0.0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        event = json.loads(body)
        with Receiver.lock:
            Receiver.seen[self.headers["webhook-id"]] = Receiver.seen.get(self.headers["webhook-id"], 0) + 1
            Receiver.last = time.perf_counter()
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
        _ = event

    def log_message(self, *args):
        pass


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def list_latencies(api, n):
    return [call(api, "GET", "/api/v1/contacts?limit=25")[1] * 1000 for _ in range(n)]


def open_stream(host, port):
    s = socket.create_connection((host, port))
    s.sendall(
        (
            "GET /api/v1/events/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {os.environ['BENCH_TOKEN']}\r\n\r\n"
        ).encode()
    )
    s.settimeout(10)
    head = b""
    while b": connected" not in head:
        chunk = s.recv(4096)
        # A refusal (say 429 when the server caps streams per user) is not a stream.
        if not chunk or (b"\r\n" in head + chunk and b" 200 " not in (head + chunk).split(b"\r\n", 1)[0]):
            raise RuntimeError(f"the event stream was refused: {(head + chunk)[:200]!r}")
        head += chunk
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rapport", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    api = a.rapport
    host, port = api.split("//")[1].split(":")
    result = {}

    # --- Webhooks: N events delivered ------------------------------------------------------
    # A listen backlog like a web server's (socketserver's default of 5 drops connections that
    # arrive together, and each dropped one costs a 1 s SYN retransmit).
    ThreadingHTTPServer.request_queue_size = 128
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook, _ = call(
        api,
        "POST",
        "/api/v1/webhooks",
        {"url": f"http://127.0.0.1:{receiver.server_port}/hook", "events": ["contact.created"]},
    )
    stamp = int(time.time())
    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(
            pool.map(
                lambda i: call(api, "POST", "/api/v1/contacts", {"first_name": "Hook", "last_name": f"{stamp}-{i}"}),
                range(a.events),
            )
        )
    written = time.perf_counter() - started
    while len(Receiver.seen) < a.events and time.perf_counter() - started < 120:
        time.sleep(0.05)
    delivered = Receiver.last - started if Receiver.seen else float("nan")
    twice = sum(1 for n in Receiver.seen.values() if n > 1)
    result["webhooks"] = {
        "events": a.events,
        "received": len(Receiver.seen),
        "delivered_twice": twice,
        "writes_seconds": round(written, 2),
        "all_delivered_seconds": round(delivered, 2),
        "after_last_write_seconds": round(delivered - written, 2),
    }
    print(
        f"webhooks: {len(Receiver.seen)}/{a.events} contact.created delivered {delivered:.2f} s after the "
        f"first write, {delivered - written:.2f} s after the last (writes took {written:.2f} s), "
        f"delivered twice: {twice}"
    )
    call(api, "DELETE", f"/api/v1/webhooks/{hook['id']}")

    # --- Live event streams ----------------------------------------------------------------
    before_ms = list_latencies(api, 300)
    _, rss_before = rss_kib(a.server_pid)
    streams = [open_stream(host, int(port)) for _ in range(a.streams)]
    time.sleep(1)
    _, rss_open = rss_kib(a.server_pid)
    during_ms = list_latencies(api, 300)
    marker = f"Stream{stamp}"
    created, _ = call(api, "POST", "/api/v1/contacts", {"first_name": marker})
    got = 0
    deadline = time.time() + 10
    for s in streams:
        buf = b""
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            while created["id"].encode() not in buf:
                buf += s.recv(65536)
            got += 1
        except (socket.timeout, OSError):
            pass
    for s in streams:
        s.close()
    result["streams"] = {
        "open": a.streams,
        "received_the_change": got,
        "rss_before_kib": rss_before,
        "rss_open_kib": rss_open,
        "rss_per_stream_kib": round((rss_open - rss_before) / a.streams, 1),
        "list_p50_ms": [round(percentile(before_ms, 0.5), 2), round(percentile(during_ms, 0.5), 2)],
        "list_p99_ms": [round(percentile(before_ms, 0.99), 2), round(percentile(during_ms, 0.99), 2)],
    }
    print(
        f"streams: {a.streams} open, RSS {rss_before / 1024:.1f} → {rss_open / 1024:.1f} MiB "
        f"(+{(rss_open - rss_before) / 1024:.1f} MiB), {got}/{a.streams} received a change; "
        f"GET /contacts p50/p99 {percentile(before_ms, 0.5):.2f}/{percentile(before_ms, 0.99):.2f} ms without, "
        f"{percentile(during_ms, 0.5):.2f}/{percentile(during_ms, 0.99):.2f} ms with them open"
    )
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    ok = len(Receiver.seen) == a.events and twice == 0 and got == a.streams
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
