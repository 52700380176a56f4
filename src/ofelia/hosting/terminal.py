"""The « machine » of the local driver: a tiny HTTP terminal on a loopback port.

Run as a script by `local_driver` (standard library only, `python -I terminal.py FD NAME
BOOT_SECONDS STATE_DIR NODE_ID`, FD a listening loopback socket it inherits): it « boots »
for BOOT_SECONDS (connections wait meanwhile), then answers `GET /status` (JSON, the readiness probe) and `GET /`
(a page naming the machine). The state directory and node id are in its command line so that
the driver finds its processes again from any worker."""

from __future__ import annotations

import html
import json
import signal
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main(argv: list[str]) -> None:
    fd, name, boot = int(argv[1]), argv[2], float(argv[3])
    listener = socket.socket(fileno=fd)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    time.sleep(boot)
    started = time.time()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 — the http.server name
            if self.path == "/status":
                body = json.dumps({"name": name, "ready": True, "up_seconds": round(time.time() - started, 1)})
                kind = "application/json"
            else:
                body = (f"<!doctype html><html lang=fr><meta charset=utf-8><title>{html.escape(name)}</title>"
                        f"<h1>Terminal de la machine {html.escape(name)}</h1><pre>$ _</pre></html>")
                kind = "text/html; charset=utf-8"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — quiet
            return

    server = ThreadingHTTPServer(listener.getsockname(), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = listener
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
