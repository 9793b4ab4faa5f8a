# Which java runs podrouter, and its default JVM flags. Sourced (POSIX sh) by bin/podrouter and by
# the Debian package's launcher; sets podrouter_java and podrouter_java_opts.
#
# JAVA_HOME wins. Without it, the newest JDK (17 or later) among the java on the PATH and those
# under /usr/lib/jvm: podrouter runs on 17, and a newer one is measurably faster (bench/RESULTS.md:
# JDK 25 against 17 on the same machine and flags, hot load: 12-20% more requests/s).
#
# The flags (JAVA_OPTS replaces them), chosen by measurement (bench/RESULTS.md). Nearly all a
# proxy allocates lives exactly as long as one request, so the young generation has to outlast the
# requests in flight: 256 fast ones need a few MiB, 10,000 slow ones (c10k) about a hundred. The
# parallel collector sizes its young generation to the load (the serial one keeps the few MiB a
# 16 MiB starting heap gives it, promotes every in-flight request and ends in full collections:
# 30% fewer requests/s at c10k and a 1 GiB heap); GCTimeRatio=19 (up to 5% of the time in
# collections, default 1%) stops it from growing the heap far past that need. The heap starts
# small; -Xmx leaves room for a full route cache (about 225 bytes per entry, 1,000,000 entries by
# default). UseAdaptiveSizePolicyWithSystemGC: the full collections podrouter asks for (after its
# JIT warm-up, and whenever the old generation outgrows its live size by half: OldGenerationGoal)
# also give back the room the old generation no longer needs (about 20 MiB resident after the
# warm-up). AdaptiveSizeDecrementScaleFactor=2: once the collector meets its time goal it shrinks its
# generations by half their growth step instead of a quarter, so the room the JIT warm-up and a
# burst made it take is given up sooner (bench/RESULTS.md, hot load: 4-8 MiB less resident after
# 80 s in two A/Bs with the sides swapped, requests per CPU-second the same within 0.5%; 1 instead
# of 2 cost 2-3%). ExitOnOutOfMemoryError: a proxy that cannot allocate should restart, not limp.

java_major() {  # a JDK home -> its feature version (17, 25...), or nothing
    if [ -f "$1/release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
    fi
}

java_update() {  # a JDK home -> its update number (15 for 17.0.15), or 0
    found=""
    if [ -f "$1/release" ]; then
        found=$(sed -n 's/^JAVA_VERSION="[0-9]*\.[0-9]*\.\([0-9]*\).*/\1/p' "$1/release")
    fi
    echo "${found:-0}"
}

if [ -n "${JAVA_HOME:-}" ]; then
    podrouter_java="$JAVA_HOME/bin/java"
    podrouter_java_major=$(java_major "$JAVA_HOME")
    podrouter_java_home=$JAVA_HOME
else
    podrouter_java=java
    podrouter_java_major=0
    podrouter_java_home=""
    on_path=$(command -v java 2>/dev/null || true)
    if [ -n "$on_path" ]; then
        home=$(dirname "$(dirname "$(readlink -f "$on_path")")")
        podrouter_java_major=$(java_major "$home")
        podrouter_java_major=${podrouter_java_major:-0}
        podrouter_java_home=$home
    fi
    for home in /usr/lib/jvm/*; do
        [ -x "$home/bin/java" ] || continue
        major=$(java_major "$home")
        if [ -n "$major" ] && [ "$major" -ge 17 ] && [ "$major" -gt "$podrouter_java_major" ]; then
            podrouter_java="$home/bin/java"
            podrouter_java_major=$major
            podrouter_java_home=$home
        fi
    done
fi

# Netty's leak detector off: it cost 5-6% of the requests per CPU-second at the hot load
# (bench/ab.sh, bench/RESULTS.md), and the tests run it at paranoid on every buffer. In production
# a leak shows as podrouter_buffer_memory_bytes growing under a steady load; to find where,
# restart with JAVA_OPTS holding these flags and -Dio.netty.leakDetection.level=simple.
podrouter_java_opts="-XX:+UseParallelGC -XX:GCTimeRatio=19 -XX:+UseAdaptiveSizePolicyWithSystemGC -XX:AdaptiveSizeDecrementScaleFactor=2 -Xms16m -Xmx1g -XX:+ExitOnOutOfMemoryError -Dio.netty.leakDetection.level=disabled"
if [ "${podrouter_java_major:-0}" -ge 22 ]; then
    # Netty loads its native transport and TLS with System.loadLibrary: say so, or JDK 22+ warns.
    podrouter_java_opts="$podrouter_java_opts --enable-native-access=ALL-UNNAMED"
fi
# Memory the JIT compilers freed stays in the C library's heap, resident, unless it is given back:
# every 10 s it is (about 20 MiB after warm-up). The flag exists from JDK 17.0.9 and 21.0.1 on.
podrouter_java_major=${podrouter_java_major:-0}
if [ "$podrouter_java_major" -ge 25 ]; then
    # 8-byte object headers instead of 12 (a product flag from JDK 25): at 10,000 connections,
    # 225 MiB resident instead of 232-243, the same requests/s at the hot load (bench/RESULTS.md).
    podrouter_java_opts="$podrouter_java_opts -XX:+UseCompactObjectHeaders"
fi
podrouter_java_update=$(java_update "${podrouter_java_home:-/nonexistent}")
if [ "$podrouter_java_major" -ge 22 ] || { [ "$podrouter_java_major" -eq 21 ] && [ "$podrouter_java_update" -ge 1 ]; } \
        || { [ "$podrouter_java_major" -eq 17 ] && [ "$podrouter_java_update" -ge 9 ]; }; then
    podrouter_java_opts="$podrouter_java_opts -XX:TrimNativeHeapInterval=10000"
fi
# Netty runs without sun.misc.Unsafe on JDK 25 and later unless told otherwise (its buffers then go
# through ByteBuffer and VarHandle). With it: 6% more requests per CPU-second at the hot load (5-8%
# in each window of bench/ab.sh; bench/RESULTS.md). From JDK 24 the JVM warns on Unsafe's memory
# methods unless they are allowed; a JDK that no longer knows the option starts without both flags.
if [ "$podrouter_java_major" -ge 24 ] && "$podrouter_java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
    podrouter_java_opts="$podrouter_java_opts --sun-misc-unsafe-memory-access=allow -Dio.netty.noUnsafe=false"
fi
