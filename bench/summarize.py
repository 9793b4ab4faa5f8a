#!/usr/bin/env python3
"""Turns bench/compare.sh's results.tsv into one table per workload (markdown) and a check of
podrouter against its targets. Usage: summarize.py results.tsv"""
import csv
import os
import statistics
import sys

NAMES = {"a": "(a) haproxy-seed", "b": "(b) haproxy-mapfirst", "c": "(c) nginx-lua",
         "d": "(d) podrouter", "e": "(e) podrouter, E_JAVA_OPTS"}
ANCHORS = ["a", "b", "c"]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def median(rows, key):
    vals = [num(r[key]) for r in rows if num(r[key]) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}"


def ratio(x, y):
    return f"{x / y:.2f}x" if x is not None and y else "-"


def note(row, name):
    for part in (row.get("note") or "").split():
        if part.startswith(name + "="):
            return num(part.split("=", 1)[1])
    return None


def main(path):
    with open(path) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:   # a run that completed no request has no latency
        if r["workload"] != "herd" and not (num(r["requests"]) or 0):
            r["p50_ms"] = r["p99_ms"] = ""
    by = {}
    for r in rows:
        by.setdefault((r["workload"], r["variant"]), []).append(r)
    variants = [v for v in NAMES if any(k[1] == v for k in by)]
    out = []
    checks = []
    settings = {}
    settings_file = os.path.join(os.path.dirname(path), "settings.txt")
    if os.path.exists(settings_file):
        with open(settings_file) as f:
            settings = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)

    for w, title in (("hot", "hot: 1,000 cached tenants, 256 keep-alive connections"),
                     ("c10k", "c10k: 10,000 keep-alive connections over 1,000 cached tenants"),
                     ("cold", "cold: a new tenant on every request, 256 keep-alive connections")):
        present = [v for v in variants if (w, v) in by]
        if not present:
            continue
        rounds = max(len(by[(w, v)]) for v in present)
        out.append(f"\n### {title} (median of {rounds} round{'s' if rounds > 1 else ''})\n")
        out.append("| variant | req/s | req/s per round | p50 ms | p99 ms | errors | RSS MiB | directory req | proxy CPU % | CPU 1 used by others % | req per proxy CPU-s | podrouter ÷ this, req/s | podrouter ÷ this, p99 |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        d = by.get((w, "d"), [])
        d_rps, d_p99 = median(d, "rps"), median(d, "p99_ms")
        for v in present:
            rs = by[(w, v)]
            rps, p50, p99 = median(rs, "rps"), median(rs, "p50_ms"), median(rs, "p99_ms")
            cpu = median(rs, "proxy_cpu_pct")
            cpu1 = median(rs, "cpu1_pct")
            others = max(0.0, cpu1 - cpu) if cpu1 is not None and cpu is not None else None
            per_cpu = rps / (cpu / 100) if rps and cpu else None
            errors = sum(int(num(r["errors"]) or 0) for r in rs)
            rss = max(num(r["rss_kib"]) or 0 for r in rs) / 1024
            dirq = median(rs, "dir_requests")
            per_round = " / ".join(fmt(num(r["rps"])) for r in rs)
            rr = ratio(d_rps, rps) if v in ANCHORS and d else ""
            rp = ratio(d_p99, p99) if v in ANCHORS and d else ""
            out.append(f"| {NAMES[v]} | {fmt(rps)} | {per_round} | {fmt(p50, 2)} | {fmt(p99, 2)} | {errors} | "
                       f"{fmt(rss)} | {fmt(dirq)} | {fmt(cpu)} | {fmt(others)} | {fmt(per_cpu)} | {rr} | {rp} |")
        c = by.get((w, "c"), [])
        if d and w == "hot" and c:
            c_rps, c_p99 = median(c, "rps"), median(c, "p99_ms")
            checks.append(("hot: req/s >= 1.0x nginx-lua, p99 no higher",
                           bool(d_rps and c_rps and d_rps >= c_rps and d_p99 is not None
                                and (c_p99 is None or d_p99 <= c_p99)),
                           f"{ratio(d_rps, c_rps)} req/s, p99 {fmt(d_p99, 2)} ms vs {fmt(c_p99, 2)} ms"))
        if d and w == "cold" and c:
            c_rps = median(c, "rps")
            checks.append(("cold: req/s >= 1.0x nginx-lua", bool(d_rps and c_rps and d_rps >= c_rps), f"{ratio(d_rps, c_rps)}"))
        if d and w == "c10k":
            errors = sum(int(num(r["errors"]) or 0) for r in d)
            rss = max(num(r["rss_kib"]) or 0 for r in d) / 1024
            anchor_p99 = [median(by[(w, a)], "p99_ms") for a in ANCHORS if (w, a) in by]
            best = min(p for p in anchor_p99 if p is not None) if anchor_p99 else None
            ok = errors == 0 and rss < 512 and d_p99 is not None and (best is None or d_p99 < best)
            if ok and best is None:
                ok = "no anchor in this run to compare p99 with"
            checks.append(("c10k: 0 errors, p99 under the best anchor, RSS < 512 MiB", ok,
                           f"{errors} errors, p99 {fmt(d_p99, 2)} ms vs best anchor {fmt(best, 2)} ms, RSS {fmt(rss)} MiB"))

    present = [v for v in variants if ("herd", v) in by]
    if present:
        n = "1,000"
        out.append(f"\n### herd: {n} simultaneous first requests for one new tenant (each round a new tenant)\n")
        out.append("| variant | 2xx answers | errors | all answered in ms (median) | directory requests per round | RSS MiB |")
        out.append("|---|---:|---:|---:|---|---:|")
        for v in present:
            rs = by[("herd", v)]
            ok = " / ".join(r["requests"] for r in rs)
            errors = sum(int(num(r["errors"]) or 0) for r in rs)
            dirs = " / ".join(r["dir_requests"] for r in rs)
            rss = max(num(r["rss_kib"]) or 0 for r in rs) / 1024
            out.append(f"| {NAMES[v]} | {ok} | {errors} | {fmt(median(rs, 'p99_ms'), 1)} | {dirs} | {fmt(rss)} |")
        if ("herd", "d") in by:
            dirs = [int(num(r["dir_requests"]) or 0) for r in by[("herd", "d")]]
            checks.append(("herd: exactly 1 directory request", all(x == 1 for x in dirs),
                           "per round: " + ", ".join(map(str, dirs))))

    present = [v for v in variants if ("flood", v) in by]
    if present:
        out.append("\n### flood: distinct random hosts, each one new (bounded by count and time)\n")
        out.append("| variant | hosts sent | req/s | errors | RSS MiB half-way | RSS MiB at end | peak RSS MiB | directory req |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for v in present:
            r = by[("flood", v)][0]
            mid, peak = note(r, "mid_rss_kib"), note(r, "peak_rss_kib")
            out.append(f"| {NAMES[v]} | {fmt(num(r['requests']))} | {fmt(num(r['rps']))} | {r['errors']} | "
                       f"{fmt(mid / 1024 if mid else None)} | {fmt(num(r['rss_kib']) / 1024)} | "
                       f"{fmt(peak / 1024 if peak else None)} | {fmt(num(r['dir_requests']))} |")
        if ("flood", "d") in by:
            r = by[("flood", "d")][0]
            mid, end = note(r, "mid_rss_kib"), num(r["rss_kib"])
            growth = (end - mid) / mid if mid else None
            hosts = num(r["requests"]) or 0
            bound = float(settings.get("CACHE_ENTRIES", 0) or 0)
            met = growth is not None and growth < 0.10
            if hosts < 2 * bound:
                met = f"not shown: under 2x the cache bound of {bound:,.0f} entries"
            checks.append(("flood: RSS bounded (past 2x the cache bound, grows < 10% over the second half)", met,
                           f"{fmt(num(r['requests']))} hosts, RSS {fmt(mid / 1024 if mid else None)} MiB half-way, "
                           f"{fmt(end / 1024)} MiB at end ({'-' if growth is None else f'{growth:+.0%}'})"))

    if checks:
        out.append("\n### podrouter against its targets\n")
        out.append("| target | met | measured |")
        out.append("|---|---|---|")
        for name, ok, detail in checks:
            shown = ok if isinstance(ok, str) else ("yes" if ok else "**no**")
            out.append(f"| {name} | {shown} | {detail} |")
    busy = os.path.join(os.path.dirname(path), "busy-before.txt")
    if os.path.exists(busy):
        with open(busy) as f:
            out.insert(0, "CPU use before the run (other programs): " + f.read().strip())
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
