# Which java runs podrouter, and its default JVM flags. Sourced (POSIX sh) by bin/podrouter and by
# the Debian package's launcher; sets podrouter_java and podrouter_java_opts.
#
# JAVA_HOME wins. Without it, the newest JDK (17 or later) among the java on the PATH and those
# under /usr/lib/jvm: podrouter runs on 17, and a newer one is measurably faster (bench/RESULTS.md:
# JDK 25 against 17 on the same machine and flags, hot load: 12-20% more requests/s).
#
# The flags (JAVA_OPTS replaces them), chosen by measurement (bench/RESULTS.md): a proxy's live
# set is small (connections, the route cache) and nearly everything it allocates dies within one
# request, so a small starting heap that grows only when the cache needs it keeps the resident
# size low; -Xmx leaves room for a full route cache (about 200 bytes per entry, 1,000,000 entries
# by default). ExitOnOutOfMemoryError: a proxy that cannot allocate should restart, not limp.

java_major() {  # a JDK home -> its feature version (17, 25...), or nothing
    if [ -f "$1/release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
    fi
}

if [ -n "${JAVA_HOME:-}" ]; then
    podrouter_java="$JAVA_HOME/bin/java"
    podrouter_java_major=$(java_major "$JAVA_HOME")
else
    podrouter_java=java
    podrouter_java_major=0
    on_path=$(command -v java 2>/dev/null || true)
    if [ -n "$on_path" ]; then
        home=$(dirname "$(dirname "$(readlink -f "$on_path")")")
        podrouter_java_major=$(java_major "$home")
        podrouter_java_major=${podrouter_java_major:-0}
    fi
    for home in /usr/lib/jvm/*; do
        [ -x "$home/bin/java" ] || continue
        major=$(java_major "$home")
        if [ -n "$major" ] && [ "$major" -ge 17 ] && [ "$major" -gt "$podrouter_java_major" ]; then
            podrouter_java="$home/bin/java"
            podrouter_java_major=$major
        fi
    done
fi

podrouter_java_opts="-XX:+UseSerialGC -Xms16m -Xmx1g -XX:+ExitOnOutOfMemoryError"
if [ "${podrouter_java_major:-0}" -ge 22 ]; then
    # Netty loads its native transport and TLS with System.loadLibrary: say so, or JDK 22+ warns.
    podrouter_java_opts="$podrouter_java_opts --enable-native-access=ALL-UNNAMED"
fi
