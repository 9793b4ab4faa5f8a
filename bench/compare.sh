#!/usr/bin/env bash
# bench/compare.sh: podrouter against the routers it replaces, side by side on one machine.
#
#   (a) haproxy-seed   HAProxy 2.6 + the seed's Lua action as published: every request opens a
#                      TCP connection to the directory, asks it, core.set_map, use_backend from the map
#   (b) haproxy-mapfirst  the same, with the map checked first (the seed's suggested optimisation)
#   (c) nginx-lua      nginx + Lua in the style of Shopify's Sorting Hat: shared-dict cache with
#                      TTL, keep-alive cosocket pool to the directory, one lookup per key at a time
#   (d) podrouter      this project with its defaults (conf/podrouter.yaml: only the access log off,
#                      like the anchors, and the route cache bounded like nginx-lua's dict)
#
# Each proxy runs alone on CPU 1 (taskset -c 1); wrk, the pods (nginx) and the directory
# (nginx + Lua) share CPU 0. Per round and variant: one proxy start for hot, herd and cold (in
# that order), a fresh one for c10k; then flood, a fresh start per variant. Rounds alternate
# a b c d a b c d. Everything is on 127.0.0.1; every load is bounded in time and count.
# Each measured run records how idle CPU 0 was: under 15% idle, the client side (wrk, pods,
# directory) was the bottleneck, and summarize.py claims no ratio from that run.
# See bench/README.md. Settings (environment variables, defaults in brackets):
ROUNDS=${ROUNDS:-2}                   # rounds of a b c d for hot, c10k, herd, cold
DURATION=${DURATION:-8}               # seconds of each measured wrk run
WARMUP=${WARMUP:-5}                   # seconds of warm-up at the measured concurrency, before each
JIT_WARMUP=${JIT_WARMUP:-90}          # podrouter only: after each start, load it in 5 s chunks
                                      # (hot and cold in turn, 256 connections) until its JIT
                                      # compilers go quiet, for at most this many seconds
CONNS=${CONNS:-256}                   # keep-alive connections for hot and cold
FLOOD_CONNS=${FLOOD_CONNS:-$CONNS}    # connections for flood (10000: a burst of new tenants at c10k)
C10K_CONNS=${C10K_CONNS:-10000}       # connections for c10k
TENANTS=${TENANTS:-1000}              # tenants for hot and c10k
HERD=${HERD:-1000}                    # simultaneous first requests in herd
FLOOD_HOSTS=${FLOOD_HOSTS:-1000000}   # distinct hosts in flood...
FLOOD_SECS=${FLOOD_SECS:-30}          # ...or this many seconds, whichever comes first
CACHE_ENTRIES=${CACHE_ENTRIES:-32000}   # route cache bound for podrouter (flood must pass it)
DICT_SIZE=${DICT_SIZE:-4m}            # nginx-lua: 4m holds about 32,500 entries (measured)
VARIANTS=${VARIANTS:-"a b c d"}       # add e for podrouter with E_JAVA_OPTS
WORKLOADS=${WORKLOADS:-"hot c10k herd cold flood"}
E_JAVA_OPTS=${E_JAVA_OPTS-"-Xms256m -Xmx1g -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError"}
D_CONF=${D_CONF:-conf/podrouter.yaml} # podrouter's configuration template for variant d (relative to bench/)...
E_CONF=${E_CONF:-$D_CONF}             # ...and for e (an A/B of a setting: E_JAVA_OPTS="" E_CONF=...)
E_RUN_ARGS=${E_RUN_ARGS:-}            # extra arguments to 'podrouter run' for e (--jit-warm-up 8s)
E_CHECKOUT=${E_CHECKOUT:-}            # another checkout whose bin/podrouter e runs (an A/B of two builds
                                      # at any workload; build its target/podrouter.jar first) [this one]
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}        # a request slower than this counts as a wrk timeout error
PROXY_QUOTA=${PROXY_QUOTA:-}          # percent of CPU 1 each proxy may use (a CFS quota, 10 ms period;
                                      # needs root and the cgroup cpu controller) [the whole core]: the
                                      # same budget for every proxy, leaving CPU 0 headroom when the
                                      # client side costs about as much per request as the proxy
OUT=${OUT:-}                          # where logs, configs and results go [a new /tmp dir]
# JAVA_OPTS, when set, replaces bin/podrouter's default JVM flags for variant d.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
PROXY_CPU=1
LOAD_CPU=0
PROXY_PORT=18080
DIRECTORY_PORT=16280
POD_PORTS="19101 19102 19103"
BASE="http://127.0.0.1:$PROXY_PORT/"
declare -A NAME=([a]=haproxy-seed [b]=haproxy-mapfirst [c]=nginx-lua [d]=podrouter [e]=podrouter-e)

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- checks
missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v nginx >/dev/null || missing+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] || missing+=(libnginx-mod-http-lua)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
    echo "compare.sh needs: ${missing[*]}" >&2
    echo "install them with: apt-get install -y haproxy nginx libnginx-mod-http-lua wrk" >&2
    exit 1
fi
for tool in python3 curl taskset java ss; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y python3 curl util-linux iproute2 openjdk-17-jdk-headless)"
done
[ "$(nproc --all)" -ge 2 ] || die "needs 2 CPUs (proxy on CPU $PROXY_CPU, load on CPU $LOAD_CPU)"
for port in $PROXY_PORT $DIRECTORY_PORT $POD_PORTS; do
    if ss -Htln "sport = :$port" | grep -q .; then
        die "port $port on 127.0.0.1 is taken (another compare.sh, or a stock nginx/haproxy service?)"
    fi
done
# c10k needs ~10,000 fds in wrk and in the proxy (plus its server side): raise the soft limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((C10K_CONNS + 1000)) ]; then
    die "ulimit -n is $(ulimit -n): c10k needs at least $((C10K_CONNS + 1000)) (or set C10K_CONNS lower)"
fi

OUT=${OUT:-$(mktemp -d /tmp/podrouter-bench.XXXXXX)}
mkdir -p "$OUT/tmp"
RESULTS="$OUT/results.tsv"
for setting in ROUNDS DURATION WARMUP JIT_WARMUP CONNS C10K_CONNS TENANTS HERD FLOOD_HOSTS FLOOD_SECS CACHE_ENTRIES \
    DICT_SIZE VARIANTS WORKLOADS WRK_TIMEOUT FLOOD_CONNS D_CONF E_CONF E_RUN_ARGS E_CHECKOUT PROXY_QUOTA; do
    echo "$setting=${!setting}"
done > "$OUT/settings.txt"
echo "JAVA_OPTS=${JAVA_OPTS:-}" >> "$OUT/settings.txt"
echo "E_JAVA_OPTS=$E_JAVA_OPTS" >> "$OUT/settings.txt"
printf 'workload\tvariant\tround\trps\tp50_ms\tp99_ms\terrors\trss_kib\tdir_requests\tproxy_cpu_pct\tcpu0_pct\tcpu1_pct\trequests\tnote\tcpu1_softirq_pct\tlisten_overflows\tcompiler_pct\tbacklog_drops\tretransmits\n' > "$RESULTS"
say "output in $OUT (ulimit -n $(ulimit -n))"

# ---------------------------------------------------------------- processes we start
INFRA_PID=""
PROXY_PID=""
SAMPLER_PID=""
QUOTA_CGROUP=""
cleanup() {
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
    [ -n "$PROXY_PID" ] && stop_proxy || true
    if [ -n "$INFRA_PID" ]; then
        kill "$INFRA_PID" 2>/dev/null || true
        wait "$INFRA_PID" 2>/dev/null || true
    fi
    [ -n "$QUOTA_CGROUP" ] && rmdir "$QUOTA_CGROUP" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PROXY_QUOTA: a cpu cgroup of our own (cgroup v1's cpu hierarchy, or v2 with the cpu controller),
# made here and removed on exit; every proxy starts inside it (see launch_proxy).
make_quota_cgroup() {
    local v1=/sys/fs/cgroup/cpu v2=/sys/fs/cgroup period=10000
    [[ "$PROXY_QUOTA" =~ ^[0-9]+$ ]] && ((PROXY_QUOTA >= 10 && PROXY_QUOTA <= 100)) \
        || die "PROXY_QUOTA is a percent of one core, 10 to 100: '$PROXY_QUOTA'"
    local quota=$((PROXY_QUOTA * period / 100))
    if [ -w "$v1" ] && [ -f "$v1/cpu.cfs_quota_us" ]; then
        QUOTA_CGROUP="$v1/podrouter-bench-$$"
        mkdir "$QUOTA_CGROUP" || die "cannot make $QUOTA_CGROUP"
        echo $period > "$QUOTA_CGROUP/cpu.cfs_period_us"
        echo $quota > "$QUOTA_CGROUP/cpu.cfs_quota_us"
    elif [ -w "$v2" ] && grep -qw cpu "$v2/cgroup.subtree_control" 2>/dev/null; then
        QUOTA_CGROUP="$v2/podrouter-bench-$$"
        mkdir "$QUOTA_CGROUP" || die "cannot make $QUOTA_CGROUP"
        echo "$quota $period" > "$QUOTA_CGROUP/cpu.max"
    else
        die "PROXY_QUOTA needs root and a writable cpu cgroup (v1 $v1, or v2 $v2 with cpu in cgroup.subtree_control)"
    fi
    say "each proxy may use $PROXY_QUOTA% of CPU $PROXY_CPU ($quota us per $period us, $QUOTA_CGROUP)"
}

launch_proxy() {  # command...: on CPU 1, inside the quota's cgroup when there is one (exec: $! is the proxy)
    if [ -n "$QUOTA_CGROUP" ]; then
        exec sh -c 'echo $$ > "$0" && exec "$@"' "$QUOTA_CGROUP/cgroup.procs" taskset -c $PROXY_CPU "$@"
    else
        exec taskset -c $PROXY_CPU "$@"
    fi
}

subst() {  # template -> file, filling in the @NAMES@
    sed -e "s#@RUN@#$2#g" -e "s#@BENCH_CONF@#$BENCH/conf#g" -e "s#@DICT_SIZE@#$DICT_SIZE#g" \
        -e "s#@CACHE_ENTRIES@#$CACHE_ENTRIES#g" -e "s#@DIRECTORY_HOST@#127.0.0.1#g" \
        -e "s#@DIRECTORY_PORT@#$DIRECTORY_PORT#g" -e "s#@VARIANT_RULE@#${4:-}#g" "$1" > "$3"
}

wait_http() {  # url, seconds: until anything answers HTTP there
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        if curl -s -o /dev/null -m 1 "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}

start_infra() {
    local dir="$OUT/infra"
    mkdir -p "$dir/tmp"
    subst "$BENCH/conf/infra.nginx.conf" "$dir" "$dir/nginx.conf"
    taskset -c $LOAD_CPU nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
        > "$dir/stdout.log" 2>&1 &
    INFRA_PID=$!
    wait_http "http://127.0.0.1:$DIRECTORY_PORT/stats" 10 || die "pods/directory nginx did not start: $(cat "$dir/error.log")"
    for port in $POD_PORTS; do wait_http "http://127.0.0.1:$port/" 5 || die "pod $port did not start"; done
}

start_proxy() {  # variant tag
    local v=$1 dir="$OUT/run-$1-$RUN_TAG"
    mkdir -p "$dir/tmp"
    echo "placeholder.example.com pod0" > "$dir/backend.map"
    case $v in
    a|b)
        subst "$BENCH/conf/gds.lua" "$dir" "$dir/gds.lua"
        local rule="http-request lua.get_backend"
        [ "$v" = b ] && rule="http-request lua.get_backend unless mapped"
        subst "$BENCH/conf/haproxy.cfg" "$dir" "$dir/haproxy.cfg" "$rule"
        launch_proxy haproxy -db -f "$dir/haproxy.cfg" > "$dir/proxy.log" 2>&1 &
        ;;
    c)
        subst "$BENCH/conf/sortinghat.nginx.conf" "$dir" "$dir/nginx.conf"
        launch_proxy nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
            > "$dir/proxy.log" 2>&1 &
        ;;
    d|e)
        local conf=$D_CONF
        [ "$v" = e ] && conf=$E_CONF
        subst "$BENCH/$conf" "$dir" "$dir/podrouter.yaml"
        if [ "$v" = e ] && [ -n "$E_JAVA_OPTS" ]; then
            JAVA_OPTS="$E_JAVA_OPTS" launch_proxy "${E_CHECKOUT:-$ROOT}/bin/podrouter" run -c "$dir/podrouter.yaml" \
                $E_RUN_ARGS > "$dir/proxy.log" 2>&1 &
        elif [ "$v" = e ]; then
            launch_proxy "${E_CHECKOUT:-$ROOT}/bin/podrouter" run -c "$dir/podrouter.yaml" $E_RUN_ARGS \
                > "$dir/proxy.log" 2>&1 &
        else
            launch_proxy "$ROOT/bin/podrouter" run -c "$dir/podrouter.yaml" > "$dir/proxy.log" 2>&1 &
        fi
        ;;
    esac
    PROXY_PID=$!
    PROXY_DIR=$dir
    if ! wait_http "$BASE" 60; then
        cat "$dir/proxy.log" >&2
        die "${NAME[$v]} did not start"
    fi
    if [ "$v" = d ] || [ "$v" = e ]; then jit_warmup; fi
}

compiler_ticks() {  # CPU ticks of the JVM's JIT compiler threads (C1, C2)
    local total=0 task t
    for task in /proc/"$PROXY_PID"/task/*; do
        case "$(cat "$task/comm" 2>/dev/null)" in
        C1\ Compi*|C2\ Compi*)
            t=$(sed 's/^.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)
            total=$((total + ${t:-0}));;
        esac
    done
    echo $total
}

# On one core, C2 needs some 20 CPU-seconds to compile podrouter's request path, taking them
# from the event loop: a JVM is not at speed until that is done. The other variants have no JIT.
jit_warmup() {
    local start=$SECONDS before after chunk=0 script arg
    before=$(compiler_ticks)
    while ((SECONDS - start < JIT_WARMUP)); do
        script=hot.lua arg=$TENANTS
        if ((chunk % 2 == 1)); then next_tag; script=cold.lua arg=$TAG; fi
        chunk=$((chunk + 1))
        run_wrk "$PROXY_DIR/jit-warmup.txt" "$CONNS" 5 "$script" "$arg"
        after=$(compiler_ticks)
        if ((chunk >= 2 && after - before < 25)); then break; fi   # under 0.25 s of compiling in 5 s
        before=$after
    done
    settle
    say "  JIT warm-up: $((SECONDS - start)) s, compilers used $(( $(compiler_ticks) / 100 )) CPU-s so far"
}

stop_proxy() {
    local pid=$PROXY_PID i
    PROXY_PID=""
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi   # still there after 10 s
    wait "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do ss -Htln "sport = :$PROXY_PORT" | grep -q . || break; sleep 0.1; done
}

proxy_pids() { echo "$PROXY_PID" $(pgrep -P "$PROXY_PID" || true); }

rss_kib() {  # VmRSS of the proxy and its children (nginx: master and worker)
    local total=0 pid kb
    for pid in $(proxy_pids); do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        total=$((total + ${kb:-0}))
    done
    echo $total
}

proxy_ticks() {  # user + system CPU ticks of the proxy and its children
    local total=0 pid t
    for pid in $(proxy_pids); do
        t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)
        total=$((total + ${t:-0}))
    done
    echo $total
}

# busy and total ticks of CPU 0, the same of CPU 1, then CPU 1's softirq ticks
cpu_snapshot() {
    awk '/^cpu[01] / {busy = $2 + $3 + $4 + $7 + $8 + $9; printf "%s %s ", busy, busy + $5 + $6}
         /^cpu1 / {printf "%s ", $8}' /proc/stat
}

# two cpu_snapshots, two proxy_ticks -> "CPU 0 busy %, CPU 1 busy %, proxy's share of CPU 1 %, CPU 1 softirq %".
# Under PROXY_QUOTA, CPU 1's softirq share is the kernel's work for the proxy's sockets while the proxy
# itself is throttled (at a whole core, the same work lands in the proxy's own system time).
cpu_shares() {
    echo "$1 $2 $3 $4" | awk '{
        t1 = ($9 - $4) > 0 ? ($9 - $4) : 1
        printf "%.0f %.0f %.0f %.0f\n", 100 * ($6 - $1) / ($7 - $2), 100 * ($8 - $3) / t1,
            100 * ($12 - $11) / t1, 100 * ($10 - $5) / t1 }'
}

# The kernel's count of connections dropped because a listen queue was full (every listener on the
# machine; in a measured run, the proxy's, which accepts the load's connections). Each such
# connection waits for the SYN-ACK's retransmission, 1 s and more, before its first request.
listen_overflows() { kernel_count /proc/net/netstat TcpExt ListenOverflows; }

kernel_count() {  # file, section, name: one of the kernel's counters (a header line, then values)
    awk -v section="$2:" -v counter="$3" '$1 == section { if (!seen) { for (i = 1; i <= NF; i++) name[i] = $i; seen = 1 }
        else for (i = 1; i <= NF; i++) if (name[i] == counter) print $i }' "$1"
}

# Packets the kernel dropped because a CPU's input backlog was full (net.core.netdev_max_backlog;
# /proc/net/softnet_stat's second column, summed over CPUs). Over loopback every packet passes
# through the sending CPU's backlog: a burst of sends longer than it loses packets, and each lost
# one waits for TCP's retransmission timeout (200 ms and more) before it arrives.
backlog_drops() {
    local n=0 processed dropped rest
    while read -r processed dropped rest; do n=$((n + 0x$dropped)); done < /proc/net/softnet_stat
    echo $n
}

# TCP segments retransmitted (every socket on the machine): what those drops cost.
retransmits() { kernel_count /proc/net/snmp Tcp RetransSegs; }

directory_lookups() { curl -s -m 2 "http://127.0.0.1:$DIRECTORY_PORT/stats" | awk '/^lookups/ {print $2}'; }

SEQ=0
TAG=""
next_tag() { SEQ=$((SEQ + 1)); TAG="$$x$SEQ"; }   # sets TAG (not echoed: a $(...) subshell would not count)

run_wrk() {  # file, connections, seconds, script, script args...
    local file=$1 conns=$2 secs=$3 script=$4
    shift 4
    timeout $((secs + 60)) taskset -c $LOAD_CPU wrk -t1 -c"$conns" -d"${secs}s" --latency --timeout "$WRK_TIMEOUT" \
        -s "$BENCH/wrk/$script" "$BASE" -- "$@" > "$file" 2>&1 || true
}

settle() {  # after a load: wait (at most 20 s) until the proxy has closed every client connection
    local i n=0
    for ((i = 0; i < 200; i++)); do
        n=$(ss -Htn exclude time-wait exclude listening "( sport = :$PROXY_PORT )" | wc -l)
        [ "$n" -eq 0 ] && return 0
        sleep 0.1
    done
    say "  (the proxy still had $n client connections open 20 s after the load stopped)"
}

parse_wrk() {  # wrk output -> "rps p50_ms p99_ms errors requests"
    awk '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/) return v * 60000
            if (v ~ /s$/) return v * 1000
            return v + 0
        }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { errors += $5 }
        /requests in/ { requests = $1 }
        /^Requests\/sec:/ { rps = $2 }
        END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, errors, requests }
    ' "$1"
}

record() {  # workload variant round rps p50 p99 errors rss dir proxy_cpu cpu0 cpu1 requests note cpu1_softirq listen_overflows compiler_pct backlog_drops retransmits
    local IFS=$'\t'
    echo "$*" >> "$RESULTS"
}

measure_wrk() {  # workload variant round connections script
    local w=$1 v=$2 r=$3 conns=$4 script=$5 base="$PROXY_DIR/$1"
    local args=("$TENANTS")
    if [ "$script" = cold.lua ]; then next_tag; args=("$TAG"); fi
    say "  $w: warm-up ${WARMUP}s, $conns connections"
    run_wrk "$base.warmup.txt" "$conns" "$WARMUP" "$script" "${args[@]}"
    settle
    if [ "$script" = cold.lua ]; then next_tag; args=("$TAG"); fi
    local d0 t0 c0 t1 c1 d1 o0 o1 k0 k1 b0 b1 q0 q1
    d0=$(directory_lookups); t0=$(proxy_ticks); c0=$(cpu_snapshot); o0=$(listen_overflows); k0=$(compiler_ticks)
    b0=$(backlog_drops); q0=$(retransmits)
    run_wrk "$base.txt" "$conns" "$DURATION" "$script" "${args[@]}"
    d1=$(directory_lookups); t1=$(proxy_ticks); c1=$(cpu_snapshot); o1=$(listen_overflows); k1=$(compiler_ticks)
    b1=$(backlog_drops); q1=$(retransmits)
    # The JIT compilers' CPU over the run, in % of one core: compiling code the run's load reaches
    # for the first time takes the proxy's own core (none for nginx and HAProxy).
    local jit=$(((k1 - k0) / DURATION))
    local rss; rss=$(rss_kib)
    settle
    read -r rps p50 p99 errors requests < <(parse_wrk "$base.txt")
    read -r cpu0 cpu1 pcpu softirq1 < <(cpu_shares "$c0" "$c1" "$t0" "$t1")
    record "$w" "$v" "$r" "$rps" "$p50" "$p99" "$errors" "$rss" "$((d1 - d0))" "$pcpu" "$cpu0" "$cpu1" "$requests" "" "$softirq1" "$((o1 - o0))" "$jit" "$((b1 - b0))" "$((q1 - q0))"
    local bound=""
    if ((100 - cpu0 < 15)); then bound=" (client-bound: CPU 0 under 15% idle, no ratio from this run)"; fi
    say "  $w: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, errors $errors, RSS $((rss / 1024)) MiB, directory $((d1 - d0)), proxy CPU ${pcpu}%, cpu0 ${cpu0}% cpu1 ${cpu1}%, listen overflows $((o1 - o0)), backlog drops $((b1 - b0)), retransmits $((q1 - q0)), JIT compilers ${jit}%$bound"
}

measure_herd() {  # variant round
    local v=$1 r=$2 host d0 d1 line rss
    next_tag
    host="herd-$TAG-$v.example.com"
    d0=$(directory_lookups)
    line=$(timeout 30 taskset -c $LOAD_CPU python3 "$BENCH/herd.py" 127.0.0.1 $PROXY_PORT "$host" "$HERD" --timeout 15 \
        || echo "ok=0 errors=$HERD ms=0 (herd.py failed)")
    settle
    sleep 0.5   # let any lookups still on their way reach the directory's counter
    d1=$(directory_lookups)
    rss=$(rss_kib)
    echo "$line" > "$PROXY_DIR/herd.txt"
    local ok errors elapsed
    ok=$(sed -n 's/.*ok=\([0-9]*\).*/\1/p' <<< "$line")
    errors=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<< "$line")
    elapsed=$(sed -n 's/.*ms=\([0-9.]*\).*/\1/p' <<< "$line")
    record herd "$v" "$r" "" "" "$elapsed" "$errors" "$rss" "$((d1 - d0))" "" "" "" "$ok" "time for all $HERD answers in p99 column" ""
    say "  herd: $ok ok, $errors errors, all answered in $elapsed ms, directory requests $((d1 - d0))"
}

measure_flood() {  # variant
    local v=$1 base="$PROXY_DIR/flood" d0 d1 i
    next_tag
    local tag=$TAG
    say "  flood: up to $FLOOD_HOSTS distinct hosts or ${FLOOD_SECS}s, $FLOOD_CONNS connections"
    ( for ((i = 0; i < FLOOD_SECS + 30; i += 5)); do
          echo "$i $(rss_kib)"; sleep 5
      done ) > "$base.rss.txt" &
    SAMPLER_PID=$!
    local t0 c0 t1 c1
    d0=$(directory_lookups); t0=$(proxy_ticks); c0=$(cpu_snapshot)
    run_wrk "$base.txt" "$FLOOD_CONNS" "$FLOOD_SECS" flood.lua "$tag" "$FLOOD_HOSTS"
    d1=$(directory_lookups); t1=$(proxy_ticks); c1=$(cpu_snapshot)
    kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
    local rss peak mid; rss=$(rss_kib)
    settle
    peak=$(awk -v now="$rss" 'BEGIN {m = now} $2 > m {m = $2} END {print m}' "$base.rss.txt")
    mid=$(awk '{v[NR] = $2} END {print v[int((NR + 1) / 2)] + 0}' "$base.rss.txt")   # half-way through
    read -r rps p50 p99 errors requests < <(parse_wrk "$base.txt")
    read -r cpu0 cpu1 pcpu softirq1 < <(cpu_shares "$c0" "$c1" "$t0" "$t1")
    local jit=""
    if [ "$v" = d ] || [ "$v" = e ]; then jit=", JIT compilers $(( $(compiler_ticks) / 100 )) CPU-s since start"; fi
    record flood "$v" 1 "$rps" "$p50" "$p99" "$errors" "$rss" "$((d1 - d0))" "$pcpu" "$cpu0" "$cpu1" "$requests" \
        "peak_rss_kib=$peak mid_rss_kib=$mid" "$softirq1"
    say "  flood: $requests hosts at $rps req/s, errors $errors, RSS $((rss / 1024)) MiB (peak $((peak / 1024)) MiB), directory $((d1 - d0)), proxy CPU ${pcpu}%, cpu0 ${cpu0}% cpu1 ${cpu1}%$jit"
}

# ---------------------------------------------------------------- run
has() { [[ " $WORKLOADS " == *" $1 "* ]]; }

if [[ " $VARIANTS " == *" d "* || " $VARIANTS " == *" e "* ]]; then
    say "building podrouter if needed"
    "$ROOT/bin/podrouter" --version > /dev/null
fi
# Other programs on the machine skew everything: say how busy each CPU is before we start
# (each measured run also records how much of CPU 1 went to something other than the proxy).
c0=$(cpu_snapshot); sleep 2; c1=$(cpu_snapshot)
BUSY=$(echo "$c0 $c1" | awk '{printf "cpu0 %.0f%%, cpu1 %.0f%%", 100 * ($6 - $1) / ($7 - $2), 100 * ($8 - $3) / ($9 - $4)}')
say "before starting, the machine is busy: $BUSY (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$BUSY; load average $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/busy-before.txt"
[ -n "$PROXY_QUOTA" ] && make_quota_cgroup
start_infra
say "pods on $POD_PORTS and directory on $DIRECTORY_PORT (nginx, CPU $LOAD_CPU); proxies on $PROXY_PORT (CPU $PROXY_CPU)"
START=$(date +%s)

if has hot || has c10k || has herd || has cold; then
    for ((round = 1; round <= ROUNDS; round++)); do
        for v in $VARIANTS; do
            RUN_TAG="r$round"
            say "round $round/$ROUNDS: ${NAME[$v]}"
            if has hot || has herd || has cold; then
                start_proxy "$v"
                if has hot; then measure_wrk hot "$v" "$round" "$CONNS" hot.lua; fi
                if has herd; then measure_herd "$v" "$round"; fi
                if has cold; then measure_wrk cold "$v" "$round" "$CONNS" cold.lua; fi
                stop_proxy
            fi
            if has c10k; then   # a fresh start: its RSS is about connections, not cache contents
                RUN_TAG="r$round-c10k"
                start_proxy "$v"
                measure_wrk c10k "$v" "$round" "$C10K_CONNS" hot.lua
                stop_proxy
            fi
        done
    done
fi
if has flood; then
    for v in $VARIANTS; do
        RUN_TAG="flood"
        say "flood: ${NAME[$v]}"
        start_proxy "$v"
        measure_flood "$v"
        stop_proxy
    done
fi

say "done in $(( $(date +%s) - START ))s; raw results: $RESULTS"
python3 "$BENCH/summarize.py" "$RESULTS" | tee "$OUT/summary.md"
