#!/usr/bin/env bash
# bench/propagation.sh: time from a tenant move (PUT to the reference directory with --redis) to
# the last of three routers routing the tenant to its new pod. Needs redis-server
# (apt-get install -y redis-server), python3, Java 17 and Maven. See bench/propagation.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$root/target/podrouter.jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$root/target/podrouter.jar" -print -quit)" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi
exec python3 "$root/bench/propagation.py" --jar "$root/target/podrouter.jar" "$@"
