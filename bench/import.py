#!/usr/bin/env python3
"""Import benchmark: a generated Google-Contacts-shaped CSV (5 % duplicate records, 1 % bad
ones) uploaded, previewed and committed through the API, timed step by step, with the server's
memory and the latency of another endpoint while the import runs."""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import call, rss_kib, wrk, fmt_ms  # noqa: E402

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "Tim", "José", "Zoë", "Søren", "Łukasz", "Amélie"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Allen", "Berners-Lee", "Muñoz", "Müller"]
COMPANIES = [f"Company {i}" for i in range(2000)]


def csv_file(rows, seed):
    rnd = random.Random(seed)
    header = "First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Value,Organization Name,Organization Title,Notes"
    lines = [header]
    emails = []
    for i in range(rows):
        r = rnd.random()
        if r < 0.01:
            email = f"not-an-email-{i}"
        elif r < 0.06 and emails:
            email = rnd.choice(emails).upper()  # the same person again
        else:
            email = f"import.{seed}.{i}@example.org"
            emails.append(email)
        # A third have a (distinct, valid) French mobile number.
        phone = f"+33 6 {i // 1000000 % 100:02d} {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}" if i % 3 == 0 and r >= 0.06 else ""
        lines.append(
            f"{rnd.choice(FIRST)},{rnd.choice(LAST)},* myContacts ::: imported,* Work,{email},{phone},"
            f"{rnd.choice(COMPANIES)},Engineer,\"Imported for the benchmark, row {i}\""
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(base, name, data):
    boundary = "bench-import-boundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        f"Content-Type: text/csv\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        base + "/api/v1/imports",
        data=body,
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Authorization": "Bearer " + os.environ["BENCH_TOKEN"],
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as resp:
        payload = json.loads(resp.read())
    return payload, time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rapport", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--ids", help="file of contact ids for the latency probe")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    api = a.rapport
    data = csv_file(a.rows, 20261202)
    print(f"Import of {a.rows:,} records ({len(data) / 1e6:.1f} MB)…", file=sys.stderr)

    probe_paths = ["/api/v1/contacts?limit=50"]
    if a.ids:
        with open(a.ids) as f:
            probe_paths = [f"/api/v1/contacts/{l.strip()}" for l in f if l.strip()][:200] or probe_paths
    alone = wrk(api, probe_paths, 4, 5)

    peak_before, _ = rss_kib(a.server_pid)
    samples = []
    phase = ["upload"]
    by_phase = {}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            rss = rss_kib(a.server_pid)[1]
            samples.append(rss)
            by_phase[phase[0]] = max(by_phase.get(phase[0], 0), rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    # The probe reads during the preview and again during the commit, 5 s from each one's start
    # (both take longer than that with 100,000 records).
    during = {}

    def probe(step):
        def run():
            during[step] = wrk(api, probe_paths, 4, 5)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    imp, t_upload = upload(api, "bench-import.csv", data)
    mapping = {k: v for k, v in imp["suggested_mapping"].items()}
    phase[0] = "preview"
    prober = probe("preview")
    preview, t_preview = call(api, "POST", f"/api/v1/imports/{imp['id']}/preview", {"mapping": mapping})
    prober.join()
    phase[0] = "commit"
    started = time.perf_counter()
    call(api, "POST", f"/api/v1/imports/{imp['id']}/commit", {})
    prober = probe("commit")
    while True:
        state, _ = call(api, "GET", f"/api/v1/imports/{imp['id']}")
        if state["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    t_commit = time.perf_counter() - started
    prober.join()
    stop.set()
    sampler.join()
    if state["status"] != "committed":
        sys.exit(f"the import did not commit: {state.get('status')} {state.get('error')}")
    peak_during = max(samples) if samples else 0
    r = state["result"]

    def rps(w):
        return w["requests"] / (w["duration_us"] / 1e6)

    print()
    print(f"| import of {a.rows:,} records ({len(data) / 1e6:.1f} MB) | seconds |")
    print("| --- | ---: |")
    print(f"| upload (read, decode, store the records) | {t_upload:.1f} |")
    print(f"| preview (plan every record) | {t_preview:.1f} |")
    print(f"| commit (queued → committed, as the client sees it) | {t_commit:.1f} |")
    print(f"| of which the job, from its start | {r['seconds']:.1f} |")
    print()
    print(
        f"Outcome: {preview['counts']}; created {r['created']}, companies {r['companies_created']}. "
        f"Server RSS during the import: max {peak_during / 1024:.0f} MiB (peak before it {peak_before / 1024:.0f} MiB; "
        + ", ".join(f"{k} {v / 1024:.0f}" for k, v in by_phase.items())
        + " MiB). "
        "Get contact at 4 connections (p99, req/s): "
        f"alone {fmt_ms(alone['p99_us'])} ms, {rps(alone):,.0f}; "
        + "; ".join(
            f"during the {step} {fmt_ms(w['p99_us'])} ms (x{w['p99_us'] / max(alone['p99_us'], 1):.1f}), {rps(w):,.0f}"
            for step, w in during.items()
        )
        + "."
    )
    with open(a.out, "w") as f:
        json.dump(
            {
                "rows": a.rows,
                "bytes": len(data),
                "upload_s": t_upload,
                "preview_s": t_preview,
                "commit_s": t_commit,
                "commit_job_s": r["seconds"],
                "counts": preview["counts"],
                "rss_max_kib": peak_during,
                "rss_max_kib_by_step": by_phase,
                "probe_alone_p99_us": alone["p99_us"],
                "probe_alone_rps": rps(alone),
                "probe_during_p99_us": {step: w["p99_us"] for step, w in during.items()},
                "probe_during_rps": {step: rps(w) for step, w in during.items()},
            },
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
