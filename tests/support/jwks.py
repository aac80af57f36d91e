"""A JWKS document served over real HTTP, counting its fetches."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from warmlink.auth import SUSPENDED_MEMBER


class JwksServer:
    def __init__(self) -> None:
        self.keys: list[dict[str, str]] = []
        self.fetches = 0
        self.suspended: list[str] = []  # the directory's warmlink_suspended_organizations
        self.failing = False  # answer 503, as a directory that is down or restarting
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                if server.failing:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                document = {"keys": server.keys, SUSPENDED_MEMBER: server.suspended}
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/.well-known/jwks.json"


@contextmanager
def serving_jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    yield server
    server.http.shutdown()
