#!/usr/bin/env python3
"""Import benchmark: a generated Google-Contacts-shaped CSV (5 % duplicate records, 1 % bad
ones) uploaded, previewed and committed through the API, timed step by step on an otherwise idle
server, then rolled back, then imported again while another endpoint is read, for that
endpoint's latency during the import; the server's memory throughout."""

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
from run import call, fmt_ms, rss_kib, settle, wrk  # noqa: E402

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


def run_import(api, data, name, phase, probe=None, suffix=""):
    """Uploads, previews and commits one file; the seconds of each step, the preview and the
    finished import. With `probe`, reads run during the preview and during the commit. The
    memory sampler notes each step under its name plus `suffix`."""
    phase[0] = "upload" + suffix
    imp, t_upload = upload(api, name, data)
    mapping = {k: v for k, v in imp["suggested_mapping"].items()}
    phase[0] = "preview" + suffix
    prober = probe("preview") if probe else None
    preview, t_preview = call(api, "POST", f"/api/v1/imports/{imp['id']}/preview", {"mapping": mapping})
    if prober:
        prober.join()
    phase[0] = "commit" + suffix
    started = time.perf_counter()
    call(api, "POST", f"/api/v1/imports/{imp['id']}/commit", {})
    prober = probe("commit") if probe else None
    state = settle(api, f"/api/v1/imports/{imp['id']}", 0.05)
    t_commit = time.perf_counter() - started
    if prober:
        prober.join()
    if state["status"] != "committed":
        sys.exit(f"the import did not commit: {state.get('status')} {state.get('error')}")
    return {"upload": t_upload, "preview": t_preview, "commit": t_commit}, preview, state


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

    # 1. The import on its own: what its steps take when nothing else asks for the machine.
    quiet, preview, state = run_import(api, data, "bench-import.csv", phase)
    r = state["result"]

    # 2. Its rollback (one request: the created contacts go to the trash, the companies too).
    phase[0] = "rollback"
    rolled, t_rollback = call(api, "POST", f"/api/v1/imports/{state['id']}/rollback", {})
    if rolled.get("status") != "rolled_back":
        sys.exit(f"the import was not rolled back: {rolled.get('status')}")

    # 3. The same file again while reads run: the probe reads during the preview and again
    # during the commit, 5 s from each one's start (both take longer than that with 100,000
    # records). A commit gives way to requests (its second connection takes no batch while any
    # is being answered), so it is slower here than alone.
    during = {}

    def probe(step):
        def run():
            during[step] = wrk(api, probe_paths, 4, 5)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    busy, _, again = run_import(api, data, "bench-import-again.csv", phase, probe, " again")
    stop.set()
    sampler.join()
    peak_during = max(samples) if samples else 0

    def rps(w):
        return w["requests"] / (w["duration_us"] / 1e6)

    print()
    print(f"| import of {a.rows:,} records ({len(data) / 1e6:.1f} MB) | alone, seconds | with reads, seconds |")
    print("| --- | ---: | ---: |")
    print(f"| upload (read, decode, store the records) | {quiet['upload']:.1f} | {busy['upload']:.1f} |")
    print(f"| preview (plan every record) | {quiet['preview']:.1f} | {busy['preview']:.1f} |")
    print(f"| commit (queued → committed, as the client sees it) | {quiet['commit']:.1f} | {busy['commit']:.1f} |")
    print(f"| of which the job, from its start | {r['seconds']:.1f} | {again['result']['seconds']:.1f} |")
    print(f"| rollback (one request) | {t_rollback:.1f} | |")
    print()
    rb = rolled["result"].get("rollback") or {}
    print(
        f"Outcome: {preview['counts']}; created {r['created']}, companies {r['companies_created']}; "
        f"rolled back: {rb.get('removed', 0)} contacts removed, {rb.get('companies_removed', 0)} companies. "
        f"Server RSS during the imports: max {peak_during / 1024:.0f} MiB (peak before {peak_before / 1024:.0f} MiB; "
        + ", ".join(f"{k} {v / 1024:.0f}" for k, v in by_phase.items())
        + " MiB). "
        "Get contact at 4 connections during the second import (p99, req/s): "
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
                "upload_s": quiet["upload"],
                "preview_s": quiet["preview"],
                "commit_s": quiet["commit"],
                "commit_job_s": r["seconds"],
                "rollback_s": t_rollback,
                "rollback": rb,
                "with_reads": {
                    "upload_s": busy["upload"],
                    "preview_s": busy["preview"],
                    "commit_s": busy["commit"],
                    "commit_job_s": again["result"]["seconds"],
                },
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
