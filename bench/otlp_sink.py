"""A collector that takes every OTLP/HTTP export and keeps nothing, for bench/tracing_overhead.sh:
the benchmark measures what exporting costs netra, not what a collector does with the spans.
Counts the spans it was sent (GET /count).   python3 bench/otlp_sink.py PORT"""

import http.server
import json
import sys

spans = 0


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global spans
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        spans += body.count(b'"spanId"')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self):
        text = json.dumps({"spans": spans}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
