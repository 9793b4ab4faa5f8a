#!/usr/bin/env bash
# Streams 1 GiB up and 1 GiB down over HTTP/2 (TLS, ALPN h2) through podrouter running with
# -Xmx64m, and checks both bodies byte for byte (SHA-256). Needs curl with HTTP/2, python3, openssl.
# Everything listens on 127.0.0.1; it stops what it started. Usage: bench/h2-stream-check.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir=$(mktemp -d /tmp/podrouter-h2check.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
size=$((1024 * 1024 * 1024))

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/a.key" -out "$dir/a.pem" -days 2 \
  -subj "/CN=a.example.com" -addext "subjectAltName=DNS:a.example.com" 2>/dev/null
echo "a.example.com pod0" > "$dir/backend.map"
cat > "$dir/podrouter.yaml" <<YAML
listeners:
  - bind: 127.0.0.1:28444
    tls: { certificates: [ { cert: a.pem, key: a.key } ] }
routing: { map: backend.map }
backends: { pod0: { servers: [ { address: 127.0.0.1:19777 } ] } }
access-log: { enabled: false }
YAML
python3 "$root/bench/bigbody-pod.py" & pids+=($!)
JAVA_OPTS="-Xmx64m -XX:+ExitOnOutOfMemoryError" "$root/bin/podrouter" run -c "$dir/podrouter.yaml" > "$dir/router.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do grep -q "listening on" "$dir/router.log" && break; sleep 0.5; done

head -c "$size" /dev/urandom > "$dir/1g.bin"
want=$(sha256sum "$dir/1g.bin" | cut -c1-64)
got=$(curl -sk --http2 --resolve a.example.com:28444:127.0.0.1 -T "$dir/1g.bin" -X POST https://a.example.com:28444/up)
echo "upload:   sent $size $want; pod got $got"
[ "$got" = "$size $want" ] || { echo "upload differs"; exit 1; }
rm -f "$dir/1g.bin"

got=$(curl -sk --http2 --resolve a.example.com:28444:127.0.0.1 "https://a.example.com:28444/down?size=$size" | sha256sum | cut -c1-64)
want=$(python3 -c "
import hashlib; c=b'abcdefghijklmnopqrstuvwxyz'*2521; h=hashlib.sha256(); n=0
while n < $size:
    b=c[:min(len(c), $size-n)]; h.update(b); n+=len(b)
print(h.hexdigest())")
echo "download: pod sent $want; client got $got"
[ "$got" = "$want" ] || { echo "download differs"; exit 1; }
if grep -q OutOfMemoryError "$dir/router.log"; then echo "router ran out of memory"; exit 1; fi
echo "router RSS: $(ps -o rss= -p "$(pgrep -f "$dir/podrouter.yaml" | head -1)") KiB with -Xmx64m; OK"
