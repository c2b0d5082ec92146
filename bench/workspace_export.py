#!/usr/bin/env python3
"""Full workspace export benchmark: the dataset's workspace exported through the API (a job),
timed from the request to `ready`, with the server's memory and the archive's size; the archive
downloaded; and, when it fits an upload (2 GiB), restored into a new empty workspace."""

import argparse
import http.cookiejar
import json
import os
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import call, rss_kib, settle  # noqa: E402

UPLOAD_LIMIT = 2 * 1024 * 1024 * 1024


def session(base, email, password):
    """An opener signed in as a browser would be (cookie + same-origin header)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("sec-fetch-site", "same-origin")]

    def send(method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"Content-Type": "application/json"} if raw is None else {}
        h.update(headers or {})
        req = urllib.request.Request(base + path, data=data, method=method, headers=h)
        with opener.open(req, timeout=600) as resp:
            payload = resp.read()
        return json.loads(payload) if payload else None

    send("POST", "/api/v1/auth/login", {"email": email, "password": password})
    return send


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rapport", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    api = a.rapport

    peak_before, _ = rss_kib(a.server_pid)
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(rss_kib(a.server_pid)[1])
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    export, _ = call(api, "POST", "/api/v1/exports", {})
    state = settle(api, f"/api/v1/exports/{export['id']}")
    t_export = time.perf_counter() - started
    stop.set()
    sampler.join()
    if state["status"] != "ready":
        sys.exit(f"the export did not finish: {state.get('status')} {state.get('error')}")
    peak = max(samples) if samples else 0

    req = urllib.request.Request(api + state["download_url"], headers={"Authorization": "Bearer " + os.environ["BENCH_TOKEN"]})
    started = time.perf_counter()
    first_byte = None
    archive = bytearray()
    with urllib.request.urlopen(req, timeout=600) as resp:
        while chunk := resp.read(1 << 20):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            archive.extend(chunk)
    t_download = time.perf_counter() - started

    records = sum(v for k, v in state["counts"].items() if k not in ("members", "calendar"))
    result = {
        "records": records,
        "counts": state["counts"],
        "export_s": t_export,
        "bytes": len(archive),
        "download_s": t_download,
        "download_first_byte_s": first_byte,
        "rss_before_kib": peak_before,
        "rss_max_kib": peak,
    }
    print()
    print(f"| full workspace export ({records:,} records) | |")
    print("| --- | ---: |")
    print(f"| export (request → ready) | {t_export:.1f} s |")
    print(f"| archive | {len(archive) / 1e6:.1f} MB |")
    print(f"| download (first byte / whole) | {first_byte or 0:.3f} s / {t_download:.1f} s |")
    print(f"| server RSS during the export | max {peak / 1024:.0f} MiB (peak before it {peak_before / 1024:.0f} MiB) |")

    email, password = os.environ.get("BENCH_EMAIL"), os.environ.get("BENCH_PASSWORD")
    if len(archive) <= UPLOAD_LIMIT and email and password:
        send = session(api, email, password)
        home = send("GET", "/api/v1/me")["workspace"]["id"]
        copy = send("POST", "/api/v1/workspaces", {"name": "Restored benchmark copy"})["id"]
        try:
            send("POST", "/api/v1/me/workspace", {"workspace_id": copy})
            boundary = "bench-restore-boundary"
            body = (
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nworkspace_zip\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.zip\"\r\n"
                f"Content-Type: application/zip\r\n\r\n"
            ).encode() + bytes(archive) + f"\r\n--{boundary}--\r\n".encode()
            samples.clear()
            stop.clear()
            sampler = threading.Thread(target=sample)
            sampler.start()
            started = time.perf_counter()
            imp = send("POST", "/api/v1/imports", raw=body,
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
            send("POST", f"/api/v1/imports/{imp['id']}/commit")
            while True:
                done = send("GET", f"/api/v1/imports/{imp['id']}")
                if done["status"] not in ("queued", "running"):
                    break
                time.sleep(0.1)
            t_restore = time.perf_counter() - started
            stop.set()
            sampler.join()
            restore_peak = max(samples) if samples else 0
            if done["status"] != "committed":
                sys.exit(f"the restore did not finish: {done.get('status')} {done.get('error')}")
            restored = done["result"]["restored"]
            same = all(restored.get(k, 0) == v for k, v in state["counts"].items() if k not in ("members", "calendar"))
            print(f"| restore into a new workspace (upload → committed) | {t_restore:.1f} s, same counts: {'yes' if same else 'NO'} |")
            print(f"| server RSS during the restore | max {restore_peak / 1024:.0f} MiB |")
            result.update({"restore_s": t_restore, "restore_same_counts": same, "restore_rss_max_kib": restore_peak})
            if not same:
                sys.exit(f"the restored counts differ: {restored} vs {state['counts']}")
        finally:
            send("POST", "/api/v1/me/workspace", {"workspace_id": home})
    else:
        print(f"| restore | not measured: the archive is over the {UPLOAD_LIMIT // (1024 * 1024)} MB upload limit |")
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
