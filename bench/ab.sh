#!/usr/bin/env bash
# bench/ab.sh: two podrouter builds side by side, under the same load at the same time.
#
#   bench/ab.sh A_CHECKOUT B_CHECKOUT     (each a directory holding bin/podrouter; B defaults to this one)
#
# On a machine whose speed drifts by tens of percent from one minute to the next, two runs one
# after the other compare the minutes, not the builds. Here both proxies run on CPU 1 at once,
# each with its own wrk (CONNS connections, hot workload) on CPU 0 against the same pods and
# directory (one nginx, conf/infra.nginx.conf): whatever slows the machine slows both. What is
# compared is requests per CPU-second of each proxy's own process over the same windows (the
# scheduler splits CPU 1 between them; the figure does not depend on the split).
# Both start with bin/podrouter's defaults (JVM flags, JIT warm-up), the config of compare.sh's
# variant d (conf/podrouter.yaml) plus an admin API for the request counter, one listening on
# 18080 (admin 19900) and the other on 18081 (admin 19901).
# A_CONF / B_CONF: another config template for that side, relative to bench/ (an A/B of a setting:
# B_CONF=conf/podrouter-accesslog.yaml measures the access log's cost).
# A_OPTS / B_OPTS: JVM flags added to that side's defaults (an A/B of a flag: the same checkout twice).
# It ends with each side's wrk latency (p50, p99) and RSS.
# Settings: ROUNDS (5) windows of WINDOW seconds (10) after WARM seconds (20) of load; CONNS (128).
# Output goes to OUT [a new /tmp dir].
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
A=$(cd "${1:?usage: bench/ab.sh A_CHECKOUT [B_CHECKOUT]}" && pwd)
B=$(cd "${2:-$BENCH/..}" && pwd)
ROUNDS=${ROUNDS:-5}
WINDOW=${WINDOW:-10}
WARM=${WARM:-20}
CONNS=${CONNS:-128}
OUT=${OUT:-$(mktemp -d /tmp/podrouter-ab.XXXXXX)}
mkdir -p "$OUT/infra/tmp" "$OUT/a" "$OUT/b"
say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in wrk nginx taskset curl; do command -v "$tool" >/dev/null || die "$tool is needed"; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

subst() {  # template, run dir, output, port
    sed -e "s#@RUN@#$2#g" -e "s#@BENCH_CONF@#$BENCH/conf#g" -e "s#@DICT_SIZE@#4m#g" \
        -e "s#@CACHE_ENTRIES@#32000#g" -e "s#@DIRECTORY_HOST@#127.0.0.1#g" \
        -e "s#@DIRECTORY_PORT@#16280#g" -e "s#127.0.0.1:18080#127.0.0.1:$4#g" "$1" > "$3"
}
wait_http() {  # url tries
    local i
    for ((i = 0; i < $2; i++)); do curl -s -o /dev/null -m 1 "$1" && return 0; sleep 0.2; done
    return 1
}
cpu0() { awk '$1 == "cpu0" {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }  # idle, total
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

subst "$BENCH/conf/infra.nginx.conf" "$OUT/infra" "$OUT/infra/nginx.conf" 18080
taskset -c 0 nginx -e "$OUT/infra/error.log" -p "$OUT/infra" -c "$OUT/infra/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_http http://127.0.0.1:16280/stats 100 || die "pods/directory did not start"

start() {  # checkout, run dir, port, extra JVM flags, config template
    local opts
    # shellcheck source=bin/jvm.sh
    opts=$(. "$1/bin/jvm.sh" && echo "$podrouter_java_opts")
    echo "placeholder.example.com pod0" > "$2/backend.map"
    subst "$BENCH/$5" "$2" "$2/podrouter.yaml" "$3"
    printf 'admin: { bind: "127.0.0.1:%s" }\n' $(($3 + 1820)) >> "$2/podrouter.yaml"   # 19900, 19901: the request counter
    JAVA_OPTS="$opts $4" taskset -c 1 "$1/bin/podrouter" run -c "$2/podrouter.yaml" > "$2/proxy.log" 2>&1 &
    STARTED=$!
    PIDS+=("$STARTED")
}
# One after the other: each JIT warm-up has the core to itself, as at a real start.
start "$A" "$OUT/a" 18080 "${A_OPTS:-}" "${A_CONF:-conf/podrouter.yaml}"; PA=$STARTED
wait_http http://127.0.0.1:18080/ 300 || die "A did not start: $(tail -3 "$OUT/a/proxy.log")"
start "$B" "$OUT/b" 18081 "${B_OPTS:-}" "${B_CONF:-conf/podrouter.yaml}"; PB=$STARTED
wait_http http://127.0.0.1:18081/ 300 || die "B did not start: $(tail -3 "$OUT/b/proxy.log")"

total=$((WARM + ROUNDS * WINDOW + 5))
say "A=$A ${A_OPTS:-} (pid $PA), B=$B ${B_OPTS:-} (pid $PB): both loaded for ${total}s, $ROUNDS windows of ${WINDOW}s after ${WARM}s"
taskset -c 0 wrk -t1 -c"$CONNS" -d"${total}s" --latency --timeout 5s -s "$BENCH/wrk/hot.lua" http://127.0.0.1:18080/ -- 1000 > "$OUT/a/wrk.txt" 2>&1 &
WRKS=($!)
taskset -c 0 wrk -t1 -c"$CONNS" -d"${total}s" --latency --timeout 5s -s "$BENCH/wrk/hot.lua" http://127.0.0.1:18081/ -- 1000 > "$OUT/b/wrk.txt" 2>&1 &
WRKS+=($!)
PIDS+=("${WRKS[@]}")
sleep "$WARM"

hz=$(getconf CLK_TCK)
# Each proxy's own count of the requests it answered (podrouter_requests_total on its admin API).
served() { curl -s -m 2 "http://127.0.0.1:$1/metrics" | awk '/^podrouter_requests_total/ {n += $2} END {printf "%.0f", n}'; }
printf '%-6s %12s %12s %6s\n' window "A req/CPU-s" "B req/CPU-s" "B/A" | tee "$OUT/summary.txt"
for ((r = 1; r <= ROUNDS; r++)); do
    a0=$(ticks "$PA"); b0=$(ticks "$PB"); na0=$(served 19900); nb0=$(served 19901); read -r i0 t0 < <(cpu0)
    sleep "$WINDOW"
    a1=$(ticks "$PA"); b1=$(ticks "$PB"); na1=$(served 19900); nb1=$(served 19901); read -r i1 t1 < <(cpu0)
    awk -v r="$r" -v na=$((na1 - na0)) -v nb=$((nb1 - nb0)) -v ta=$((a1 - a0)) -v tb=$((b1 - b0)) -v hz="$hz" \
        -v idle=$((100 * (i1 - i0) / (t1 - t0))) 'BEGIN {
        ea = na / (ta / hz); eb = nb / (tb / hz)
        printf "%-6s %12.0f %12.0f %6.3f   (A %d req on %.1f CPU-s, B %d on %.1f; CPU 0 %d%% idle)\n", r, ea, eb, eb / ea, na, ta / hz, nb, tb / hz, idle
    }' | tee -a "$OUT/summary.txt"
done
awk 'NR > 1 {print $4}' "$OUT/summary.txt" | sort -n | awk '{v[NR] = $1} END {printf "median B/A: %.3f over %d windows\n", v[int((NR + 1) / 2)], NR}' | tee -a "$OUT/summary.txt"
rss() { awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
ra=$(rss "$PA"); rb=$(rss "$PB")
wait "${WRKS[@]}" 2>/dev/null || true   # they end on their own (-d), a few seconds after the last window
# Latency over each wrk's whole run (warm-up included). Both proxies share CPU 1, so each one's
# latency includes the time the scheduler gave the other: compare A with B, not with compare.sh.
for side in a b; do
    awk -v side="$side" -v rss="$([ "$side" = a ] && echo "$ra" || echo "$rb")" '
        / 50%/ {p50 = $2} / 99%/ {p99 = $2}
        END {printf "%s: latency p50 %s, p99 %s; RSS %s MiB at the end\n", toupper(side), p50, p99, rss}' \
        "$OUT/$side/wrk.txt" | tee -a "$OUT/summary.txt"
done
for side in a b; do
    errors=$(grep -c "Socket errors\|Non-2xx" "$OUT/$side/wrk.txt" 2>/dev/null || true)
    [ "${errors:-0}" = 0 ] || say "$side: wrk reported errors, see $OUT/$side/wrk.txt"
done
say "everything is in $OUT"
