#!/usr/bin/env python3
"""Drives one benchmark run with wrk against a running Rapport server and the baseline server,
then prints the table and writes the figures as JSON. Started by scripts/bench, which builds the
binaries, prepares the database and starts both servers.

Every endpoint runs closed-loop at --conns connections for --duration seconds; throughput is also
reported as a ratio to the baseline doing the nearest single indexed query in the same run. Then
a mix of reads runs for --long seconds at --long-conns connections, and the server's peak
resident memory is read from /proc.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import threading
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SEARCH_TERMS = ["hopper", "lovelace", "ada", "berlin", "grace t", "consultant", "knuth", "lyon", "priya", "müller"]


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if os.environ.get("BENCH_TOKEN"):
        headers["Authorization"] = "Bearer " + os.environ["BENCH_TOKEN"]
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as resp:
        payload = resp.read()
    return json.loads(payload) if payload else None, time.perf_counter() - started


def settle(base, path, pause=0.1):
    """GETs `path` (an import's or an export's) until its status is no longer queued or running;
    the last answer."""
    while True:
        state, _ = call(base, "GET", path)
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(pause)


def sign_ins(base, email, password, per_second, seconds, out):
    """Signs in `per_second` times a second for `seconds` (as a browser would), noting each latency."""
    body = json.dumps({"email": email, "password": password}).encode()
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds:
        due = started + n / per_second
        time.sleep(max(0.0, due - time.perf_counter()))
        req = urllib.request.Request(
            base + "/api/v1/auth/login",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"},
        )
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
                out.append((resp.status, time.perf_counter() - t0))
        except urllib.error.HTTPError as e:
            out.append((e.code, time.perf_counter() - t0))
        n += 1


# The sampled contact ids, for bodies naming "{contact}" (see bench/wrk.lua).
IDS_FILE = ""


def wrk(base, paths, conns, duration, method="GET", body=None):
    """Runs wrk and returns its figures (from the BENCH line that bench/wrk.lua prints)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        paths_file = f.name
    env = dict(os.environ, BENCH_PATHS=paths_file, BENCH_METHOD=method, BENCH_BODY=body or "", BENCH_IDS=IDS_FILE)
    threads = 2 if conns >= 2 else 1
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "2s", "-s", os.path.join(HERE, "wrk.lua"), base]
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(paths_file)
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk printed no figures:\n{out}")
    r = json.loads(line[6:])
    seconds = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / seconds if seconds else 0.0
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return r


def first_pass(base, paths):
    """Requests each distinct path once, one at a time; returns the latencies' p50, p99 and max."""
    took = []
    for path in dict.fromkeys(paths):
        took.append(call(base, "GET", path)[1] * 1000)
    took.sort()
    return {
        "requests": len(took),
        "p50_ms": took[len(took) // 2],
        "p99_ms": took[min(len(took) - 1, int(len(took) * 0.99))],
        "max_ms": took[-1],
    }


def rss_kib(pid):
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0])
    return fields.get("VmHWM", 0), fields.get("VmRSS", 0)


def deep_cursor(base, rows_before):
    """The cursor that opens the page after `rows_before` rows of the default contact list,
    found by walking the list the way a client would."""
    cursor, seen = None, 0
    while seen < rows_before:
        step = min(200, rows_before - seen)
        path = f"/api/v1/contacts?limit={step}" + (f"&cursor={cursor}" if cursor else "")
        page, _ = call(base, "GET", path)
        seen += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return None
    return cursor


def find_duplicates(api):
    """One call per type to the duplicate candidates (the workspace's 50 best pairs), timed."""
    found = {}
    for kind in ("contact", "company"):
        page, seconds = call(api, "GET", f"/api/v1/duplicates?type={kind}&limit=50")
        found[kind] = {"seconds": seconds, "pairs": len(page["items"])}
    return found


def tidy(api, conns, duration, ids):
    """Merging and bulk changes, each timed once as a person would make them: a merge of two
    contacts with 1,000 interactions each (its dry run, the merge, the undo), and a tag added to
    10,000 contacts (and its undo) while reads run, to see what the batch does to their p99."""
    out = {}
    pair = []
    for n in (1, 2):
        c, _ = call(api, "POST", "/api/v1/contacts", {"first_name": "Merge", "last_name": f"Bench {n}"})
        pair.append(c["id"])

    def log(contact, first):
        for k in range(first, first + 1000, 20):
            pool = [
                threading.Thread(
                    target=call,
                    args=(api, "POST", "/api/v1/interactions", {"contact_id": contact, "kind": "note", "subject": f"Note {j}"}),
                )
                for j in range(k, k + 20)
            ]
            for t in pool:
                t.start()
            for t in pool:
                t.join()

    for c in pair:
        log(c, 0)
    body = {"survivor_id": pair[0], "merged_id": pair[1]}
    dry, dry_s = call(api, "POST", "/api/v1/contacts/merge", dict(body, dry_run=True))
    merged, merge_s = call(api, "POST", "/api/v1/contacts/merge", body)
    _, undo_s = call(api, "POST", f"/api/v1/merges/{merged['merge_id']}/undo", {})
    out["merge"] = {
        "interactions_moved": merged["moved"]["interactions"],
        "dry_run_ms": dry_s * 1000,
        "merge_ms": merge_s * 1000,
        "undo_ms": undo_s * 1000,
    }
    # 10,000 contacts, a page of 200 at a time.
    chosen, cursor = [], None
    while len(chosen) < 10000:
        page, _ = call(api, "GET", "/api/v1/contacts?limit=200" + (f"&cursor={cursor}" if cursor else ""))
        chosen += [c["id"] for c in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    chosen = chosen[:10000]
    reads = [f"/api/v1/contacts/{i}" for i in ids]
    alone = wrk(api, reads, conns, duration)
    during = {}
    t = threading.Thread(target=lambda: during.update(wrk(api, reads, conns, duration)))
    t.start()
    time.sleep(1)
    tagged, tag_s = call(api, "POST", "/api/v1/contacts/bulk", {"ids": chosen, "action": {"type": "add_tags", "tags": ["bench-bulk"]}})
    t.join()
    bulk_undo_s = 0.0
    if tagged["batch_id"]:
        _, bulk_undo_s = call(api, "POST", f"/api/v1/bulk/{tagged['batch_id']}/undo", {})
    out["bulk_tag"] = {
        "contacts": len(chosen),
        "updated": tagged["updated"],
        "seconds": tag_s,
        "undo_seconds": bulk_undo_s,
        "get_contact_p99_alone_ms": alone["p99_us"] / 1000,
        "get_contact_p99_during_ms": during.get("p99_us", 0) / 1000,
    }
    return out


def print_tidy(t):
    m, b = t["merge"], t["bulk_tag"]
    print(
        f"Merge of two contacts with 1,000 interactions each ({m['interactions_moved']} moved): dry run "
        f"{m['dry_run_ms']:.0f} ms, merge {m['merge_ms']:.0f} ms, undo {m['undo_ms']:.0f} ms"
    )
    print(
        f"Bulk tag of {b['contacts']:,} contacts ({b['updated']:,} changed): {b['seconds']:.2f} s, undo "
        f"{b['undo_seconds']:.2f} s; get contact p99 {b['get_contact_p99_alone_ms']:.1f} ms alone, "
        f"{b['get_contact_p99_during_ms']:.1f} ms while it ran"
    )


def fmt_ms(us):
    return f"{us / 1000:.1f}"


# The columns of the web app's contact list (frontend/src/composables/useContactList.ts).
LIST_FIELDS = "first_name,last_name,display_name,job_title,company,last_sentiment,lifecycle,emails,tags,next_follow_up_at"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rapport", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--ids", required=True, help="file of contact ids to spread requests over")
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--long-conns", type=int, default=64)
    ap.add_argument("--long", type=int, default=60)
    ap.add_argument("--page", type=int, default=2000, help="the deep page's number, at 50 per page")
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="", help="run only the endpoints whose name contains this (no mixed run)")
    a = ap.parse_args()

    global IDS_FILE
    IDS_FILE = a.ids
    with open(a.ids) as f:
        ids = [line.strip() for line in f if line.strip()]
    if not ids:
        sys.exit("no contact ids to benchmark with")
    ws = a.workspace
    api = a.rapport

    total = call(api, "GET", "/api/v1/contacts?limit=1&include_total=true")[0].get("total") or len(ids)
    rows_before = min((a.page - 1) * 50, max(total - 50, 0))
    deep = deep_cursor(api, rows_before)
    deep_page = rows_before // 50 + 1
    pipelines = call(api, "GET", "/api/v1/pipelines")[0]
    pipeline = (pipelines["items"] if isinstance(pipelines, dict) else pipelines)[0]["id"]
    # The AI endpoint: the first request is a miss (answered and stored), the benchmark then hits.
    ai_contact = ids[0]
    _, ai_miss = call(api, "POST", f"/api/v1/contacts/{ai_contact}/insights", {})
    status = call(api, "GET", "/api/v1/ai/status")[0]

    q = lambda t: urllib.parse.quote(t)  # noqa: E731
    # Search queries drawn from the dataset as people type them: a name's prefix, a first name
    # and the start of a last name, a full name with a letter missing, a company's prefix.
    sample = [call(api, "GET", f"/api/v1/contacts/{i}")[0] for i in ids[:10]]
    name_prefixes, global_terms = [], []
    for c in sample:
        first, last = c["first_name"], c["last_name"]
        name_prefixes.append(last[:4].lower())
        full = f"{first} {last}"
        global_terms += [last[:4].lower(), f"{first} {last[:3]}", full[:3] + full[4:]]
        if c.get("company"):
            global_terms.append(c["company"]["name"][:5].lower())
    baseline = {
        "get": [f"/contacts/{i}" for i in ids],
        "list": [f"/contacts?workspace={ws}"],
        "search": [f"/search?workspace={ws}&q={q(t)}" for t in SEARCH_TERMS],
        "timeline": [f"/contacts/{i}/interactions" for i in ids],
        "create": ["/contacts"],
    }
    create_body = json.dumps({"workspace": ws, "first_name": "Bench", "last_name": "Person {n}"})
    endpoints = [
        ("list contacts, page 1", "GET", ["/api/v1/contacts?limit=50"], None, "list"),
        # As the web app asks for it: only the ten columns the list shows.
        ("list contacts, page 1, the list's fields", "GET", [f"/api/v1/contacts?limit=50&fields={LIST_FIELDS}"], None, "list"),
        (f"list contacts, page {deep_page}", "GET", [f"/api/v1/contacts?limit=50&cursor={deep}"], None, "list"),
        ("get contact", "GET", [f"/api/v1/contacts/{i}" for i in ids], None, "get"),
        ("search contacts", "GET", [f"/api/v1/contacts?limit=50&q={q(t)}" for t in SEARCH_TERMS], None, "search"),
        ("search contacts, name prefix", "GET", [f"/api/v1/contacts?limit=50&q={q(t)}" for t in name_prefixes], None, "search"),
        ("global search (prefix, words, typo)", "GET", [f"/api/v1/search?q={q(t)}&limit=20" for t in global_terms], None, "search"),
        ("contact timeline", "GET", [f"/api/v1/contacts/{i}/timeline?limit=50" for i in ids], None, "timeline"),
        ("follow-ups", "GET", ["/api/v1/follow-ups?limit=50"], None, "list"),
        ("deal board", "GET", [f"/api/v1/pipelines/{pipeline}/board"], None, "list"),
        ("dashboard", "GET", ["/api/v1/dashboard"], None, "list"),
        ("AI insights, cache hit", "POST", [f"/api/v1/contacts/{ai_contact}/insights"], "{}", "get"),
        (
            "create contact",
            "POST",
            ["/api/v1/contacts"],
            json.dumps({"first_name": "Bench", "last_name": "Person {n}", "emails": ["bench{n}@example.com"]}),
            "create",
        ),
        (
            "log interaction",
            "POST",
            ["/api/v1/interactions"],
            # Each on one of the 1,000 sampled contacts, as a team logging its calls would.
            json.dumps({"contact_id": "{contact}", "kind": "call", "direction": "outbound", "subject": "Check-in {n}"}),
            "create",
        ),
        (
            "log interaction, all on one contact",
            "POST",
            ["/api/v1/interactions"],
            # Every write updates the same contact row (its follow-up), so they queue on its lock.
            json.dumps({"contact_id": ids[1 % len(ids)], "kind": "call", "direction": "outbound", "subject": "Check-in {n}"}),
            "create",
        ),
    ]

    # Reads first, writes last: the rows a write adds are the newest, which is where lists and
    # searches start reading, so a read measured after the baseline's (or our own) inserts would
    # pay for rows the other side never saw.
    base_results = {}

    def run_baseline(keys):
        for key in keys:
            method, body = ("POST", create_body) if key == "create" else ("GET", None)
            base_results[key] = wrk(a.baseline, baseline[key], a.conns, a.duration, method, body)
            print(f"  baseline {key}: {base_results[key]['rps']:.0f} req/s", file=sys.stderr)

    rows = []

    def run_endpoints(selected):
        for name, method, paths, body, base_key in selected:
            r = wrk(api, paths, a.conns, a.duration, method, body)
            r.update(name=name, baseline=base_key, ratio=r["rps"] / base_results[base_key]["rps"] if base_results[base_key]["rps"] else 0)
            rows.append(r)
            print(f"  {name}: {r['rps']:.0f} req/s, p99 {fmt_ms(r['p99_us'])} ms, errors {r['errors']}", file=sys.stderr)

    print(f"Warm-up and baseline reads ({a.conns} connections, {a.duration} s each)…", file=sys.stderr)
    wrk(api, ["/api/v1/contacts?limit=50"], a.conns, min(a.duration, 3))
    if a.only == "tidy":
        t = tidy(api, a.conns, a.duration, ids)
        t["duplicates"] = find_duplicates(api)
        print(
            "Duplicate candidates: "
            + ", ".join(f"{kind} {d['seconds']:.2f} s ({d['pairs']} pairs)" for kind, d in t["duplicates"].items())
        )
        print_tidy(t)
        with open(a.out, "w") as f:
            json.dump(t, f, indent=2)
        return
    if a.only == "reads":
        # The cost of the main reads at this size (scripts/bench --scale): no baseline, no writes.
        for name, method, paths, body, _ in endpoints:
            if method == "GET":
                # Each distinct path once, one at a time, first: the pages a read needs come from
                # disk the first time (a dataset larger than memory beside everything else keeps
                # coming from disk), and the timed run then measures the work per request at a
                # steady state. The first pass's own figures are kept beside it.
                first = first_pass(api, paths)
                r = wrk(api, paths, a.conns, a.duration, method, body)
                r.update(name=name, first_pass=first)
                rows.append(r)
                print(
                    f"  {name}: {r['rps']:.0f} req/s, p99 {fmt_ms(r['p99_us'])} ms, errors {r['errors']} "
                    f"(first pass over {first['requests']} paths: p99 {first['p99_ms']:.1f} ms)",
                    file=sys.stderr,
                )
        with open(a.out, "w") as f:
            json.dump({"contacts": total, "conns": a.conns, "duration_s": a.duration, "endpoints": rows}, f, indent=2)
        failed = [r["name"] for r in rows if r["errors"]]
        if failed:
            sys.exit(f"requests failed in: {', '.join(failed)}")
        return
    if a.only:
        chosen = [e for e in endpoints if a.only in e[0]]
        run_baseline(sorted({e[4] for e in chosen}))
        run_endpoints(chosen)
        print(f"Global search queries: {', '.join(global_terms)}", file=sys.stderr)
        for r in rows:
            b = base_results[r["baseline"]]
            print(f"| {r['name']} | {r['rps']:,.0f} | {fmt_ms(r['p50_us'])} | {fmt_ms(r['p99_us'])} | {r['errors']} | {b['rps']:,.0f} ({r['baseline']}) | {r['ratio']:.2f} |")
        with open(a.out, "w") as f:
            json.dump({"endpoints": rows, "baseline": base_results, "global_terms": global_terms}, f, indent=2)
        return
    run_baseline([k for k in baseline if k != "create"])
    run_endpoints([e for e in endpoints if e[4] != "create"])

    mix = (
        ["/api/v1/contacts?limit=50", f"/api/v1/contacts?limit=50&cursor={deep}", "/api/v1/follow-ups?limit=50"]
        + [f"/api/v1/contacts/{i}" for i in ids[:200]]
        + [f"/api/v1/contacts/{i}/timeline?limit=50" for i in ids[200:400]]
        + [f"/api/v1/contacts?limit=50&q={q(t)}" for t in SEARCH_TERMS]
        + [f"/api/v1/pipelines/{pipeline}/board", "/api/v1/dashboard"]
    )
    print(f"Mixed reads at {a.long_conns} connections for {a.long} s…", file=sys.stderr)
    long_run = wrk(api, mix, a.long_conns, a.long)

    print("Writes: baseline, then Rapport…", file=sys.stderr)
    run_baseline(["create"])
    run_endpoints([e for e in endpoints if e[4] == "create"])
    # Password hashing runs off the async workers: reads keep their latency while people sign in.
    burst = None
    email, password = os.environ.get("BENCH_EMAIL"), os.environ.get("BENCH_PASSWORD")
    if email and password:
        print("Get contact while 8 sign-ins per second run…", file=sys.stderr)
        logins = []
        t = threading.Thread(target=sign_ins, args=(api, email, password, 8, a.duration, logins))
        t.start()
        during = wrk(api, [f"/api/v1/contacts/{i}" for i in ids], a.conns, a.duration)
        t.join()
        ok = sorted(d for s, d in logins if s == 200)
        burst = {
            "get_contact": during,
            "sign_ins": len(logins),
            "sign_ins_ok": len(ok),
            "sign_in_p50_ms": ok[len(ok) // 2] * 1000 if ok else None,
            "sign_in_max_ms": ok[-1] * 1000 if ok else None,
        }
    # Duplicate candidates: one statement over the whole workspace each, timed once (a report a
    # person opens now and then, not a request under load).
    duplicates = find_duplicates(api)
    tidied = tidy(api, a.conns, a.duration, ids)
    peak, current = rss_kib(a.server_pid)

    print()
    print(f"Rapport benchmark — {total:,} contacts; {a.conns} connections, {a.duration} s per endpoint")
    print()
    print("| endpoint | req/s | p50 ms | p99 ms | errors | baseline req/s | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        b = base_results[r["baseline"]]
        print(
            f"| {r['name']} | {r['rps']:,.0f} | {fmt_ms(r['p50_us'])} | {fmt_ms(r['p99_us'])} | {r['errors']} "
            f"| {b['rps']:,.0f} ({r['baseline']}) | {r['ratio']:.2f} |"
        )
    print()
    print("| baseline | req/s | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: |")
    for key, b in base_results.items():
        print(f"| {key} | {b['rps']:,.0f} | {fmt_ms(b['p50_us'])} | {fmt_ms(b['p99_us'])} |")
    print()
    lr = long_run
    print(
        f"Mixed reads, {a.long_conns} connections, {a.long} s: {lr['requests']:,} requests, {lr['rps']:,.0f} req/s, "
        f"p50 {fmt_ms(lr['p50_us'])} ms, p99 {fmt_ms(lr['p99_us'])} ms, max {fmt_ms(lr['max_us'])} ms; "
        f"errors {lr['errors']} (non-2xx {lr['status']}, timeouts {lr['timeout']}, socket {lr['connect'] + lr['read'] + lr['write']})"
    )
    if burst:
        g = burst["get_contact"]
        alone = next((r for r in rows if r["name"] == "get contact"), None)
        print(
            f"Get contact while 8 sign-ins/s run: {g['rps']:,.0f} req/s, p99 {fmt_ms(g['p99_us'])} ms"
            + (f" (alone: p99 {fmt_ms(alone['p99_us'])} ms)" if alone else "")
            + f"; {burst['sign_ins_ok']} of {burst['sign_ins']} sign-ins succeeded, p50 {burst['sign_in_p50_ms'] or 0:.0f} ms,"
            f" max {burst['sign_in_max_ms'] or 0:.0f} ms"
        )
    print(
        "Duplicate candidates (50 best pairs): "
        + ", ".join(f"{kind} {d['seconds']:.2f} s ({d['pairs']} pairs)" for kind, d in duplicates.items())
    )
    print_tidy(tidied)
    print(f"Server memory: peak RSS {peak / 1024:.1f} MiB, RSS after the run {current / 1024:.1f} MiB")
    print(f"AI provider {status.get('provider')} ({status.get('model')}): first request (miss) {ai_miss * 1000:.1f} ms")

    with open(a.out, "w") as f:
        json.dump(
            {
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "contacts": total,
                "conns": a.conns,
                "duration_s": a.duration,
                "endpoints": rows,
                "baseline": base_results,
                "long": dict(lr, conns=a.long_conns, duration_s=a.long),
                "peak_rss_kib": peak,
                "ai_miss_ms": ai_miss * 1000,
                "sign_in_burst": burst,
                "duplicates": duplicates,
                "tidy": tidied,
            },
            f,
            indent=2,
        )
    failed = [r["name"] for r in rows if r["errors"]] + (["mixed run"] if lr["errors"] else [])
    if burst and (burst["get_contact"]["errors"] or burst["sign_ins_ok"] != burst["sign_ins"]):
        failed.append("sign-in burst")
    if failed:
        sys.exit(f"requests failed in: {', '.join(failed)}")


if __name__ == "__main__":
    main()
