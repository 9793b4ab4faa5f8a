import sys, hashlib
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
CHUNK = b"abcdefghijklmnopqrstuvwxyz" * 2521  # 65546 bytes
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0")); h = hashlib.sha256(); left = n
        while left > 0:
            b = self.rfile.read(min(left, 1 << 20))
            if not b: break
            h.update(b); left -= len(b)
        body = f"{n} {h.hexdigest()}".encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        size = int(self.path.split("=")[1]); self.send_response(200); self.send_header("Content-Length", str(size)); self.end_headers()
        sent = 0
        while sent < size:
            b = CHUNK[: min(len(CHUNK), size - sent)]; self.wfile.write(b); sent += len(b)
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", 19777), H).serve_forever()
