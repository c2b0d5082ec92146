"""The scaling table of `scripts/bench --scale`: p99 of each main read at every dataset size, and
the ratio of the largest size's p99 to the smallest's (the target: at most 2)."""

import argparse
import json
import re


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+", help="reads-only results (bench/run.py --only reads), smallest size first")
    a = ap.parse_args()
    runs = []
    for path in a.files:
        with open(path) as f:
            runs.append(json.load(f))
    runs.sort(key=lambda r: r["contacts"])
    names = [e["name"] for e in runs[0]["endpoints"]]
    # The deep page's name carries its page number, which depends on the size.
    def key(name):
        deep = re.fullmatch(r"list contacts, page (\d+)", name)
        return "list contacts, deep page" if deep and deep.group(1) != "1" else name

    by_size = [{key(e["name"]): e for e in r["endpoints"]} for r in runs]
    print(f"p99 in ms at {runs[0]['conns']} connections, {runs[0]['duration_s']} s per endpoint")
    print()
    print("| endpoint | " + " | ".join(f"{r['contacts']:,} contacts" for r in runs) + " | largest / smallest |")
    print("| --- | " + " | ".join("---:" for _ in runs) + " | ---: |")
    worst = 0.0
    for name in map(key, names):
        cells = [b.get(name) for b in by_size]
        p99 = [c["p99_us"] / 1000 if c else None for c in cells]
        ratio = p99[-1] / p99[0] if p99[0] and p99[-1] else None
        worst = max(worst, ratio or 0)
        shown = " | ".join(f"{v:.1f}" if v is not None else "–" for v in p99)
        print(f"| {name} | {shown} | {f'{ratio:.2f}' if ratio is not None else '–'} |")
    print()
    print(f"Largest ratio: {worst:.2f} (target: at most 2)")
    # Before each timed run every distinct path was read once, one at a time: what a read costs
    # when its pages first come from disk.
    print()
    print("First pass (each distinct path once, one connection): p99 / max in ms")
    print()
    print("| endpoint | " + " | ".join(f"{r['contacts']:,} contacts" for r in runs) + " |")
    print("| --- | " + " | ".join("---:" for _ in runs) + " |")
    for name in map(key, names):
        cells = [(b.get(name) or {}).get("first_pass") for b in by_size]
        shown = " | ".join(f"{c['p99_ms']:.1f} / {c['max_ms']:.1f}" if c else "–" for c in cells)
        print(f"| {name} | {shown} |")


if __name__ == "__main__":
    main()
