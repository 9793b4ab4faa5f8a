#!/usr/bin/env python3
"""herd: N simultaneous first requests for one tenant nobody has asked for yet.

Opens N connections to the proxy and waits until all are established, then writes the same
request (Host: HOST) on every one in a tight loop, then reads the N responses. Bounded: gives up
after --timeout seconds. Prints one line: "ok=<2xx responses> errors=<others> ms=<elapsed>".
Usage: herd.py HOST PORT HOSTNAME [N] [--timeout S]
"""
import selectors
import socket
import sys
import time


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    timeout = 10.0
    if "--timeout" in sys.argv:
        timeout = float(sys.argv[sys.argv.index("--timeout") + 1])
        args.remove(sys.argv[sys.argv.index("--timeout") + 1])
    addr, port, hostname = args[0], int(args[1]), args[2]
    n = int(args[3]) if len(args) > 3 else 1000
    deadline = time.monotonic() + timeout
    request = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % hostname).encode()

    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        s.connect_ex((addr, port))
        socks.append(s)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_WRITE)
    pending = len(socks)
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(0.5):
            sel.unregister(key.fileobj)
            pending -= 1
    if pending:
        print("ok=0 errors=%d ms=0 (only %d of %d connected)" % (n, n - pending, n))
        return 1

    start = time.monotonic()
    for s in socks:
        s.send(request)          # a few dozen bytes: never blocks on a fresh socket
    buffers = {s: b"" for s in socks}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    ok = errors = 0
    open_count = len(socks)
    while open_count and time.monotonic() < deadline:
        for key, _ in sel.select(0.5):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if data:
                buffers[s] += data
            done = complete(buffers[s])
            if done is None and data:
                continue
            sel.unregister(s)
            open_count -= 1
            if done is not None and buffers[s][9:10] == b"2":
                ok += 1
            else:
                errors += 1
    errors += open_count          # no full answer before the deadline
    elapsed = (time.monotonic() - start) * 1000
    for s in socks:
        s.close()
    print("ok=%d errors=%d ms=%.1f" % (ok, errors, elapsed))
    return 0


def complete(buf):
    """The response length when buf holds a whole response (Content-Length framing), else None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    length = 0
    for line in buf[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    total = end + 4 + length
    return total if len(buf) >= total else None


if __name__ == "__main__":
    sys.exit(main())
