#!/usr/bin/env python3
"""Turns bench/compare.sh's results.tsv into one table per workload (markdown) and a check of
podrouter against its targets. Usage: summarize.py results.tsv"""
import csv
import os
import statistics
import sys
from types import SimpleNamespace

NAMES = {"a": "(a) haproxy-seed", "b": "(b) haproxy-mapfirst", "c": "(c) nginx-lua",
         "d": "(d) podrouter", "e": "(e) podrouter, E_CONF / E_JAVA_OPTS"}
ANCHORS = ["a", "b", "c"]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def median_of(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def median(rows, key):
    return median_of(num(r[key]) for r in rows)


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}"


def ratio(x, y):
    return f"{x / y:.2f}x" if x is not None and y else "-"


CLIENT_BOUND_IDLE = 15   # a run whose CPU 0 had less idle than this (percent) was limited by the client side
DISTURBED = 10           # ...and one where other programs took more than this (percent) of CPU 1 was disturbed


def infra_idle(row):
    busy = num(row.get("cpu0_pct"))
    return None if busy is None else 100 - busy


def client_bound(row):
    idle = infra_idle(row)
    return idle is not None and idle < CLIENT_BOUND_IDLE


def cpu_us_per_request(row, busy_column):
    """Microseconds of CPU per request over the measured run, from a busy share and the req/s."""
    busy, rps = num(row.get(busy_column)), num(row.get("rps"))
    return busy / 100 * 1e6 / rps if busy is not None and rps else None


QUOTA = False   # set by main from settings.txt: the proxies ran under compare.sh's PROXY_QUOTA


def kernel_for_proxy(rows):
    """CPU 1's share (median over rows) that was the kernel's work for the proxy outside its own time:
    under a quota, the softirq time while the proxy was throttled; at a whole core that work is in
    the proxy's own system time, so 0."""
    return (median_of(num(r.get("cpu1_softirq_pct")) for r in rows) or 0) if QUOTA else 0


def disturbed(row):
    """Something other than the proxy took more than DISTURBED% of the proxy's CPU 1."""
    cpu1, proxy = num(row.get("cpu1_pct")), num(row.get("proxy_cpu_pct"))
    return cpu1 is not None and proxy is not None and cpu1 - proxy - kernel_for_proxy([row]) > DISTURBED


class Figures:
    """One variant's rounds of one workload: medians over all rounds, and over the rounds that
    were not client-bound (the only ones a ratio may come from)."""

    def __init__(self, rows):
        self.rows = rows
        self.rps, self.p99 = median(rows, "rps"), median(rows, "p99_ms")
        self.errors = sum(int(num(r["errors"]) or 0) for r in rows)
        self.rss = max(num(r["rss_kib"]) or 0 for r in rows) / 1024
        fair = [r for r in rows if not client_bound(r) and not disturbed(r)]
        self.fair = bool(fair)
        self.fair_rps, self.fair_p99 = median(fair, "rps"), median(fair, "p99_ms")


def compared(d, other, what):
    if not (d.fair and other.fair):
        return "not claimed"
    if what == "rps":
        return ratio(d.fair_rps, other.fair_rps)
    return ratio(d.fair_p99, other.fair_p99)


def target(name, d, other, holds, what):
    """A comparison target: met, not met, or not shown (no anchor, or client-bound rounds only)."""
    if other is None:
        return name, "not shown: the anchor was not run", ""
    detail = (f"podrouter {fmt(d.fair_rps if d.fair else d.rps)} req/s, p99 {fmt(d.fair_p99 if d.fair else d.p99, 2)} ms; "
              f"anchor {fmt(other.fair_rps if other.fair else other.rps)} req/s, p99 "
              f"{fmt(other.fair_p99 if other.fair else other.p99, 2)} ms ({compared(d, other, what)})")
    if not (d.fair and other.fair):
        return name, "not shown: only client-bound or disturbed rounds", detail
    fair_d = SimpleNamespace(rps=d.fair_rps, p99=d.fair_p99)
    fair_o = SimpleNamespace(rps=other.fair_rps, p99=other.fair_p99)
    if None in (fair_d.rps, fair_d.p99, fair_o.rps, fair_o.p99):
        return name, "not shown: no figures", detail
    return name, bool(holds(fair_d, fair_o)), detail


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
    global QUOTA
    QUOTA = bool(settings.get("PROXY_QUOTA"))
    if QUOTA:
        out.append(f"Every proxy ran with a CPU quota of {settings['PROXY_QUOTA']}% of CPU 1 (PROXY_QUOTA): the same "
                   "budget for each, so req/s compares work per CPU-second, and p99 includes the waits "
                   "of a throttled process.\n")

    for w, title in (("hot", "hot: 1,000 cached tenants, 256 keep-alive connections"),
                     ("c10k", "c10k: 10,000 keep-alive connections over 1,000 cached tenants"),
                     ("cold", "cold: a new tenant on every request, 256 keep-alive connections")):
        present = [v for v in variants if (w, v) in by]
        if not present:
            continue
        rounds = max(len(by[(w, v)]) for v in present)
        out.append(f"\n### {title} (median of {rounds} round{'s' if rounds > 1 else ''})\n")
        out.append("| variant | req/s | req/s per round | p50 ms | p99 ms | errors | RSS MiB | directory req | proxy CPU % | CPU 1 used by others % | CPU 0 idle % per round | req per proxy CPU-s | podrouter ÷ this, req/s | podrouter ÷ this, p99 |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
        figures = {v: Figures(by[(w, v)]) for v in present}
        d = figures.get("d")
        for v in present:
            f = figures[v]
            rs = f.rows
            cpu = median(rs, "proxy_cpu_pct")
            cpu1 = median(rs, "cpu1_pct")
            others = max(0.0, cpu1 - cpu - kernel_for_proxy(rs)) if cpu1 is not None and cpu is not None else None
            per_cpu = f.rps / (cpu / 100) if f.rps and cpu else None
            per_round = " / ".join(fmt(num(r["rps"])) for r in rs)
            idle = " / ".join(fmt(infra_idle(r)) + ("*" if client_bound(r) else "") + ("†" if disturbed(r) else "")
                              for r in rs)
            rr = rp = ""
            if v in ANCHORS and d:
                rr, rp = compared(d, f, "rps"), compared(d, f, "p99")
            out.append(f"| {NAMES[v]} | {fmt(f.rps)} | {per_round} | {fmt(median(rs, 'p50_ms'), 2)} | {fmt(f.p99, 2)} | "
                       f"{f.errors} | {fmt(f.rss)} | {fmt(median(rs, 'dir_requests'))} | {fmt(cpu)} | {fmt(others)} | "
                       f"{idle} | {fmt(per_cpu)} | {rr} | {rp} |")
        if any(client_bound(r) or disturbed(r) for f in figures.values() for r in f.rows):
            out.append(f"\n\\* client-bound: CPU 0 (wrk, pods, directory) had under {CLIENT_BOUND_IDLE}% idle, so the "
                       f"proxy was not the bottleneck. † disturbed: other programs took over {DISTURBED}% of CPU 1. "
                       "Ratios use only the rounds that were neither; with none left on either side, no ratio is claimed.")
        costs = []
        for v in present:
            client = median_of(cpu_us_per_request(r, "cpu0_pct") for r in figures[v].rows)
            proxy = median_of(cpu_us_per_request(r, "proxy_cpu_pct") for r in figures[v].rows)
            costs.append(f"{NAMES[v]} {fmt(proxy, 1)} µs of its own, {fmt(client, 1)} µs of CPU 0's")
        out.append("\nCPU per request (median of the rounds): " + "; ".join(costs) + ". A proxy that needs no more "
                   "of its core per request than wrk and the pods need of theirs saturates CPU 0 as soon as its own: "
                   "its rounds come out client-bound however fast it is.")
        c, b = figures.get("c"), figures.get("b")
        if d and w == "hot":
            checks.append(target("hot: req/s >= 1.0x nginx-lua", d, c, lambda x, y: x.rps >= y.rps, "rps"))
            checks.append(target("hot: req/s >= 1.0x haproxy-mapfirst", d, b, lambda x, y: x.rps >= y.rps, "rps"))
            checks.append(target("hot: p99 <= nginx-lua's", d, c, lambda x, y: x.p99 <= y.p99, "p99"))
            checks.append(("hot: RSS <= 128 MiB", d.rss <= 128, f"{fmt(d.rss)} MiB"))
        if d and w == "cold":
            checks.append(target("cold: req/s >= 1.0x nginx-lua", d, c, lambda x, y: x.rps >= y.rps, "rps"))
            checks.append(target("cold: p99 <= 1.5x nginx-lua's", d, c, lambda x, y: x.p99 <= 1.5 * y.p99, "p99"))
        if d and w == "c10k":
            checks.append(("c10k: 0 errors", d.errors == 0, f"{d.errors} errors"))
            checks.append(target("c10k: req/s >= 1.0x nginx-lua", d, c, lambda x, y: x.rps >= y.rps, "rps"))
            checks.append(target("c10k: p99 <= nginx-lua's", d, c, lambda x, y: x.p99 <= y.p99, "p99"))
            checks.append(("c10k: RSS <= 256 MiB", d.rss <= 256, f"{fmt(d.rss)} MiB"))

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
