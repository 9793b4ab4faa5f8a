#!/usr/bin/env bash
# Installs target/podrouter_*.deb with dpkg -i (as root, on a throwaway machine: CI), checks what
# it installed, then purges it. Missing dependencies (a Java runtime package) come from apt.
set -euo pipefail
cd "$(dirname "$0")/../.."
deb="$(ls target/podrouter_*_all.deb)"

if command -v lintian >/dev/null; then
  lintian --fail-on error "$deb"
fi
if ! dpkg -i "$deb"; then
  echo "check-install: installing what $deb depends on" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq
fi
trap 'dpkg --purge podrouter >/dev/null' EXIT

podrouter --version
getent passwd podrouter >/dev/null
# The service's user can read the configuration it will run with.
runuser -u podrouter -- podrouter check -c /etc/podrouter/podrouter.yaml
test -f /lib/systemd/system/podrouter.service
grep -qx 'ExecStart=/usr/bin/podrouter run -c /etc/podrouter/podrouter.yaml' /lib/systemd/system/podrouter.service
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/podrouter.service
fi
dpkg-query -W -f='${Conffiles}\n' podrouter | grep -q /etc/podrouter/podrouter.yaml
test -d /var/lib/podrouter

trap - EXIT
dpkg --purge podrouter
for gone in /usr/bin/podrouter /etc/podrouter /var/lib/podrouter /lib/systemd/system/podrouter.service; do
  if [ -e "$gone" ]; then
    echo "check-install: $gone is still there after the purge" >&2
    exit 1
  fi
done
echo "check-install: $deb installs, checks and purges cleanly"
