#!/usr/bin/env python3
"""bench/propagation.py: how long a tenant move takes to reach every router of a fleet.

Starts a redis-server, three pods, the reference directory publishing to Redis
(`podrouter directory --redis`), and ROUTERS router processes reading the stream
(`routing.invalidation`), all on 127.0.0.1. Every router caches TENANTS tenants (one request
each), then MOVES times: PUT a tenant's new pod to the directory, and poll every router with
requests for that tenant (through the proxy, keep-alive) until each routes it to the new pod.
Prints, per move, the time from the PUT's answer to the last router's switch, then p50/p99/max.
Everything started is stopped by PID on exit. Bounded: each move waits at most 5 s.

Usage: bench/propagation.py [--routers 3] [--tenants 50] [--moves 50] [--jar target/podrouter.jar]
"""
import argparse
import http.client
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{what} did not listen on {port} within {seconds}s")


class Pod(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # One write: a head and a body in two small segments would wait out Nagle and the
        # router's delayed ACK (about 40 ms) and measure that instead of the move.
        body = self.server.name.encode()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def log_message(self, *args):
        pass


def start_pod(name):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pod)
    server.daemon_threads = True
    server.name = name
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--routers", type=int, default=3)
    ap.add_argument("--tenants", type=int, default=50)
    ap.add_argument("--moves", type=int, default=50)
    ap.add_argument("--warmup-moves", type=int, default=10, help="unmeasured moves of other tenants first (JIT)")
    ap.add_argument("--jar", default=os.path.join(os.path.dirname(__file__), "..", "target", "podrouter.jar"))
    args = ap.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("needs redis-server: apt-get install -y redis-server")
    work = tempfile.mkdtemp(prefix="podrouter-propagation.")
    procs = []

    def stop_all(*_):
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop_all(), sys.exit(1)))
    try:
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", work],
                                 stdout=open(os.path.join(work, "redis.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(redis)
        wait_port(redis_port, redis, "redis-server")
        redis_uri = f"redis://127.0.0.1:{redis_port}/0"

        pods = [start_pod(f"pod{i}") for i in range(3)]
        tenants = [f"t{i}.example.com" for i in range(args.tenants)]
        warmups = [f"w{i}.example.com" for i in range(args.warmup_moves)]
        with open(os.path.join(work, "tenants.map"), "w") as f:
            for t in tenants + warmups:
                f.write(f"{t} pod0\n")
        java = os.environ.get("JAVA", "java")
        gds_port = free_port()
        gds = subprocess.Popen([java, "-jar", args.jar, "directory", "--map", os.path.join(work, "tenants.map"),
                                "--bind", f"127.0.0.1:{gds_port}", "--redis", redis_uri],
                               stdout=open(os.path.join(work, "directory.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(gds)
        wait_port(gds_port, gds, "the directory")

        router_ports = []
        admin_ports = []
        for r in range(args.routers):
            port = free_port()
            admin_ports.append(free_port())
            conf = os.path.join(work, f"router{r}.yaml")
            with open(conf, "w") as f:
                f.write(f"""listeners:
  - bind: 127.0.0.1:{port}
routing:
  directory:
    url: http://127.0.0.1:{gds_port}/rest/private/gds/backend/{{key}}
  invalidation:
    redis: {redis_uri}
backends:
""")
                for i, pod in enumerate(pods):
                    f.write(f"  pod{i}:\n    servers:\n      - address: 127.0.0.1:{pod.server_address[1]}\n")
                f.write(f"threads: 1\naccess-log:\n  enabled: false\nadmin:\n  bind: 127.0.0.1:{admin_ports[-1]}\n")
            p = subprocess.Popen([java, "-Xms64m", "-Xmx256m", "-XX:+UseG1GC", "-jar", args.jar, "run", "-c", conf],
                                 stdout=open(os.path.join(work, f"router{r}.log"), "w"), stderr=subprocess.STDOUT)
            procs.append(p)
            router_ports.append(port)
        for r, port in enumerate(router_ports):
            wait_port(port, procs[2 + r], f"router {r}")
        # Each router logs when it reads the stream; wait for all of them.
        deadline = time.time() + 30
        while time.time() < deadline:
            if all("reading tenant moves" in open(os.path.join(work, f"router{r}.log")).read()
                   for r in range(args.routers)):
                break
            time.sleep(0.1)
        else:
            sys.exit("not every router reads the stream; logs in " + work)

        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for port in router_ports]

        def pod_for(conn, host):
            conn.request("GET", "/", headers={"Host": host})
            r = conn.getresponse()
            body = r.read().decode()
            return body if r.status == 200 else f"status {r.status}"

        for conn in conns:
            for t in tenants + warmups:
                assert pod_for(conn, t) == "pod0", "warm-up: not routed to pod0"
        gds_conn = http.client.HTTPConnection("127.0.0.1", gds_port, timeout=5)

        def move(tenant, new_pod):
            """PUTs the move; returns ms from the PUT's answer to the last router's switch, or None."""
            gds_conn.request("PUT", "/rest/private/gds/backend/" + tenant, body=new_pod)
            gds_conn.getresponse().read()
            start = time.perf_counter()
            pending = set(range(len(conns)))
            last = start
            while pending and time.perf_counter() - start < 5:
                for i in list(pending):
                    if pod_for(conns[i], tenant) == new_pod:
                        pending.discard(i)
                        last = time.perf_counter()
            if pending:
                print(f"{tenant} not switched on routers {sorted(pending)} after 5 s")
                return None
            return (last - start) * 1000

        for w in warmups:
            move(w, "pod2")
        times = []
        unmoved = 0
        for m in range(args.moves):
            tenant = tenants[m % len(tenants)]
            new_pod = "pod1" if (m // len(tenants)) % 2 == 0 else "pod2"
            t = move(tenant, new_pod)
            if t is None:
                unmoved += 1
            else:
                times.append(t)
        times.sort()
        # Each router's own measure: from the time in the entry's ID (written by Redis) to applied.
        for r, port in enumerate(admin_ports):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/metrics")
            text = c.getresponse().read().decode()
            buckets = [line for line in text.splitlines()
                       if line.startswith("podrouter_invalidation_lag_seconds_bucket") and
                       any(f'le="{b}"' in line for b in ("0.001", "0.005", "0.01", "0.1", "1.0", "+Inf"))]
            print(f"router {r} lag (entry ID to applied), cumulative: " +
                  ", ".join(b.split("{")[1].replace('"}', "").replace('le="', "<=") for b in buckets))
        print(f"routers {args.routers}, tenants {args.tenants}, moves {args.moves} (PUT to the reference directory; "
              f"time from its 204 to the last router routing to the new pod, polled through each proxy)")
        print("ms per move: " + " ".join(f"{t:.1f}" for t in times))
        if not times:
            print("no move switched")
            return 1
        print(f"p50 {percentile(times, 50):.1f} ms, p99 {percentile(times, 99):.1f} ms, max {times[-1]:.1f} ms, "
              f"not switched within 5 s: {unmoved}")
        print("logs: " + work)
        return 0 if unmoved == 0 else 1
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
