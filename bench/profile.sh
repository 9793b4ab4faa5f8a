#!/usr/bin/env bash
# bench/profile.sh: where a proxy's CPU time goes under compare.sh's hot or c10k load.
#
#   bench/profile.sh podrouter|nginx-lua [hot|c10k|churn]
#
# churn: hot's requests, each on a new client connection (wrk/hot.lua with "close" sends Connection: close),
# so the per-request figures include accepting, setting up and closing a connection.
#
# Same placement as compare.sh: the proxy alone on CPU 1; wrk, the pods and the directory (one
# nginx, conf/infra.nginx.conf) on CPU 0. Steps, each under the same load:
#   1. warm-up (podrouter: WARM seconds, for its JIT; nginx-lua: 10 s, to fill its cache)
#   2. a measured window of DURATION seconds: the proxy's user and system CPU-seconds over it
#      (from /proc/PID/stat) and the requests the pods served meanwhile (nginx's stub_status)
#      give CPU microseconds per request, split into user and kernel
#   3. strace -c on the event-loop thread (podrouter) or the worker (nginx) for 5 s: system
#      calls per request (strace slows the proxy down; only the counts are used)
#   4. perf record -g for 5 s: the share of CPU samples in the kernel, in JIT-compiled Java, in
#      the JVM, in nginx..., and the kernel paths the time goes to (podrouter runs with
#      -XX:+DumpPerfMapAtExit, so perf names the Java methods once the JVM has exited)
# Needs what compare.sh needs, plus perf and strace (apt-get install -y linux-perf strace).
# Output (wrk runs, strace and perf reports, perf.data) goes to OUT [a new /tmp dir].
# Settings: WARM (70), DURATION (15), CONNS (256; c10k: C10K_CONNS, 10000), JAVA_OPTS (replaces
# the JVM flags bin/podrouter uses; podrouter runs on the java bin/jvm.sh picks), CONF (podrouter's config
# template, relative to bench/: conf/podrouter.yaml; conf/podrouter-accesslog.yaml profiles the access log), WHOLE=1 (perf
# samples every thread of the proxy, not only its event loop: the access log's writer, the GC), QUICK=1 (stop after the measured run: no strace, no perf).
set -euo pipefail
VARIANT=${1:-podrouter}
WORKLOAD=${2:-hot}
WARM=${WARM:-70}
DURATION=${DURATION:-15}
CONNS=${CONNS:-256}
[ "$WORKLOAD" = c10k ] && CONNS=${C10K_CONNS:-10000}

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
URL=http://127.0.0.1:18080/
OUT=${OUT:-$(mktemp -d /tmp/podrouter-profile.XXXXXX)}
mkdir -p "$OUT/tmp" "$OUT/infra/tmp"
say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in perf strace wrk nginx taskset java curl; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y linux-perf strace wrk nginx libnginx-mod-http-lua)"
done
case $VARIANT in podrouter|nginx-lua) ;; *) die "variant: podrouter or nginx-lua" ;; esac
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

subst() {  # template, run dir, output
    sed -e "s#@RUN@#$2#g" -e "s#@BENCH_CONF@#$BENCH/conf#g" -e "s#@DICT_SIZE@#4m#g" \
        -e "s#@CACHE_ENTRIES@#32000#g" -e "s#@DIRECTORY_HOST@#127.0.0.1#g" \
        -e "s#@DIRECTORY_PORT@#16280#g" "$1" > "$3"
}
wait_http() {  # url [tries, 0.2 s apart at least]
    local i
    for ((i = 0; i < ${2:-100}; i++)); do curl -s -o /dev/null -m 1 "$1" && return 0; sleep 0.2; done
    return 1
}
cpu_ticks() {  # user and system ticks of a process and its children
    local u=0 s=0 pid t
    for pid in "$@"; do
        read -r t < <(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12, $13}')
        u=$((u + ${t% *})); s=$((s + ${t#* }))
    done
    echo "$u $s"
}
CLOSE=""
[ "$WORKLOAD" = churn ] && CLOSE=close
load() {  # seconds, output file
    # shellcheck disable=SC2086
    # exec: run in the background, the function's process is wrk itself, so QUICK=1 stops wrk, not a
    # shell around it (that left wrk loading CPU 0 for the rest of its run, into what came next).
    exec taskset -c 0 wrk -t1 -c"$CONNS" -d"$1s" --latency --timeout 5s -s "$BENCH/wrk/hot.lua" "$URL" -- 1000 $CLOSE > "$2" 2>&1
}

INFRA=""
PROXY=""
cleanup() {
    [ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null || true
    [ -n "$INFRA" ] && kill "$INFRA" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

subst "$BENCH/conf/infra.nginx.conf" "$OUT/infra" "$OUT/infra/nginx.conf"
taskset -c 0 nginx -e "$OUT/infra/error.log" -p "$OUT/infra" -c "$OUT/infra/nginx.conf" -g 'daemon off;' &
INFRA=$!
wait_http http://127.0.0.1:16280/stats || die "pods/directory did not start"

echo "placeholder.example.com pod0" > "$OUT/backend.map"
if [ "$VARIANT" = podrouter ]; then
    subst "$BENCH/${CONF:-conf/podrouter.yaml}" "$OUT" "$OUT/podrouter.yaml"
    "$ROOT/bin/podrouter" --version > /dev/null   # builds target/podrouter.jar when the sources are newer
    # The java and the flags bin/podrouter runs with (a profile of other flags is not of the defaults).
    # shellcheck source=../bin/jvm.sh
    . "$ROOT/bin/jvm.sh"
    # shellcheck disable=SC2086
    taskset -c 1 "$podrouter_java" ${JAVA_OPTS:-$podrouter_java_opts} -Xlog:gc:file="$OUT/gc.log" \
        -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer \
        -jar "$ROOT/target/podrouter.jar" run -c "$OUT/podrouter.yaml" > "$OUT/proxy.log" 2>&1 &
    PROXY=$!
    # It listens once its JIT warm-up is over (up to 30 s by default).
    wait_http "$URL" 300 || die "podrouter did not start: $(tail -5 "$OUT/proxy.log")"
    PIDS=$PROXY
    warm=$WARM
else
    subst "$BENCH/conf/sortinghat.nginx.conf" "$OUT" "$OUT/nginx.conf"
    taskset -c 1 nginx -e "$OUT/error.log" -p "$OUT" -c "$OUT/nginx.conf" -g 'daemon off;' > "$OUT/proxy.log" 2>&1 &
    PROXY=$!
    wait_http "$URL" || die "nginx-lua did not start"
    PIDS="$PROXY $(pgrep -P "$PROXY")"
    warm=10
fi

# One wrk run for everything, so that connections (10,000 in c10k) are opened once and every
# figure is taken in the steady state: warm-up, measured window, then strace and perf.
served() { curl -s -m 2 http://127.0.0.1:16280/nginx_status | awk 'NR == 3 {print $3}'; }
say "$VARIANT, $WORKLOAD ($CONNS connections): warm-up ${warm}s, then ${DURATION}s measured, then strace and perf"
load $((warm + DURATION + 14)) "$OUT/wrk.txt" &
LOAD=$!
sleep "$warm"
before=$(cpu_ticks $PIDS)
served0=$(served)
sleep "$DURATION"
after=$(cpu_ticks $PIDS)
served1=$(served)
requests=$((served1 - served0 - 1))   # the pods' requests (the directory's too: none once warm), less this status request
rps=$(awk -v n="$requests" -v s="$DURATION" 'BEGIN {printf "%.0f", n / s}')
read -r u0 s0 <<< "$before"
read -r u1 s1 <<< "$after"
hz=$(getconf CLK_TCK)
user_us=$(awk -v t=$((u1 - u0)) -v n="$requests" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
sys_us=$(awk -v t=$((s1 - s0)) -v n="$requests" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')

if [ -n "${QUICK:-}" ]; then
    kill "$LOAD" 2>/dev/null || true
    echo "$VARIANT $WORKLOAD ${JAVA_OPTS:-}: $rps req/s, user ${user_us} us, kernel ${sys_us} us per request, $(grep -c Pause "$OUT/gc.log" 2>/dev/null) GC pauses so far" | tee "$OUT/summary.txt"
    exit 0
fi
if [ "$VARIANT" = podrouter ]; then
    LOOP=""
    for t in /proc/"$PROXY"/task/*; do
        if [[ -z "$LOOP" && "$(cat "$t/comm")" == podrouter-io-* ]]; then LOOP=$(basename "$t"); fi
    done
    TARGET=(-t "$LOOP")
    STRACE_TARGET=$LOOP
else
    WORKER=$(pgrep -P "$PROXY" | head -1)
    TARGET=(-p "$WORKER")
    STRACE_TARGET=$WORKER
fi
[ -n "${WHOLE:-}" ] && TARGET=(-p "$PROXY")
timeout 5 strace -c -p "$STRACE_TARGET" -o "$OUT/strace.txt" > /dev/null 2>&1 || true
perf record -q -g -o "$OUT/perf.data" "${TARGET[@]}" -- sleep 5 > /dev/null 2>&1 || true
wait "$LOAD" || true
p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")
errors=$(awk '/Socket errors|Non-2xx/' "$OUT/wrk.txt" | tr -s ' ' | paste -sd ';' -)

kill "$PROXY"; wait "$PROXY" 2>/dev/null || true; PROXY=""   # the JVM writes /tmp/perf-PID.map as it exits
perf report -i "$OUT/perf.data" --no-children -g none --sort dso --stdio 2>/dev/null | grep '%' > "$OUT/perf-by-object.txt" || true
perf report -i "$OUT/perf.data" --no-children -g none --sort sym --stdio 2>/dev/null | grep '%' | head -40 > "$OUT/perf-top-symbols.txt" || true
perf report -i "$OUT/perf.data" --children -g none --sort sym --stdio 2>/dev/null | grep '\[k\]' | head -30 > "$OUT/perf-kernel-paths.txt" || true

{
    echo "# $VARIANT, $WORKLOAD, $CONNS connections ($(date -u +%FT%TZ))"
    echo
    echo "requests/s: $rps over the ${DURATION}s measured window (counted by the pods); CPU per request: user ${user_us} us, kernel ${sys_us} us"
    echo "wrk over the whole run (warm-up, window, traced part): p99 $p99 ${errors:-no errors}"
    echo
    echo "## system calls on the event loop over 5 s (strace slows the proxy down; compare counts, not times)"
    cat "$OUT/strace.txt" 2>/dev/null
    echo
    echo "## perf: CPU samples by object"
    head -8 "$OUT/perf-by-object.txt"
    echo
    echo "## perf: kernel paths (self + children)"
    head -20 "$OUT/perf-kernel-paths.txt"
    echo
    echo "## perf: top symbols (self)"
    head -25 "$OUT/perf-top-symbols.txt"
} | tee "$OUT/summary.txt"
say "everything is in $OUT"
