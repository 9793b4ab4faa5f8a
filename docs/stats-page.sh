#!/usr/bin/env bash
# Takes docs/stats-page.png: runs the demo (bin/podrouter demo on free ports), puts a small bounded
# load through it with curl (a few tenants, one of them noisy, plus keys only the directory is
# asked about), then renders the stats page in headless Chromium and checks the rendered page:
# drawn SVG series in every chart, and the busiest-tenants table naming the loaded tenants.
# Needs chromium (apt-get install chromium). Not a benchmark: about 60 requests/s for LOAD_SECONDS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${LOAD_SECONDS:-150}"
out="${1:-docs/stats-page.png}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac
work="$(mktemp -d)"
demo_pid=""
load_pids=()
cleanup() {
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bin/podrouter demo --port 0 --tls-port 0 > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 300); do
  grep -q 'Stats page' "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; exit 1; }
  sleep 0.1
done
port="$(grep -o 'listening on \[/127.0.0.1:[0-9]*' "$work/demo.log" | head -1 | sed 's/.*://')"
admin="$(grep -o 'Stats page.*http://127.0.0.1:[0-9]*/stats' "$work/demo.log" | sed 's:.*127.0.0.1\:\([0-9]*\)/stats:\1:')"
[ -n "$port" ] && [ -n "$admin" ] || { cat "$work/demo.log" >&2; exit 1; }
echo "stats-page: router on $port, admin on $admin; load for ${seconds}s" >&2

# One curl per batch fetches 10 URLs over one kept-alive connection; each loop is bounded in time.
load() { # host, pause between batches
  local host="$1" pause="$2" end=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$end" ]; do
    curl -s -o /dev/null -H "Host: $host" "http://127.0.0.1:$port/page[1-10]" || true
    sleep "$pause"
  done
}
load tenant1.example.com 0.3 & load_pids+=($!)
load acme.example.com 0.6 & load_pids+=($!)
load globex.example.com 1.2 & load_pids+=($!)
load tenant2.example.com 2 & load_pids+=($!)
# Keys nobody knows: each is asked of the directory once (a 404 it caches), then refused from the cache.
( end=$((SECONDS + seconds)); i=0
  while [ "$SECONDS" -lt "$end" ]; do
    i=$((i + 1)); curl -s -o /dev/null -H "Host: visitor$((i % 400)).example.com" "http://127.0.0.1:$port/" || true
    sleep 0.2
  done ) & load_pids+=($!)
wait "${load_pids[@]}"
load_pids=()
# A little more load while the page is rendered, so that its last seconds are not empty.
load tenant1.example.com 0.3 & load_pids+=($!)
sleep 2

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars
  --window-size=1280,1700 --virtual-time-budget=4000)
"${chrome[@]}" --dump-dom "http://127.0.0.1:$admin/stats" > "$work/dom.html" 2>/dev/null
for id in c-requests c-latency c-cache c-directory c-connections; do
  grep -q "<svg id=\"$id\"[^>]*>.*<path [^>]*class=\"series\"" "$work/dom.html" \
    || { echo "stats-page: chart $id has no drawn series" >&2; exit 1; }
done
for tenant in tenant1.example.com acme.example.com globex.example.com; do
  grep -q "<td class=\"l\">$tenant</td>" "$work/dom.html" \
    || { echo "stats-page: $tenant is not in the busiest-tenants table" >&2; exit 1; }
done
"${chrome[@]}" --screenshot="$out" "http://127.0.0.1:$admin/stats" 2>/dev/null
echo "stats-page: $out written; charts drawn, busiest tenants listed" >&2
