"""A threaded HTTP endpoint on 127.0.0.1 that hands every POST to a function and sends back the
status and headers it returns: the webhook receivers of the tests and of the fault campaign."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (path, headers as sent, body) -> (status, extra response headers)
Answer = Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str]]]


def serve_posts(port: int, answer: Answer) -> ThreadingHTTPServer:
    """Started in a daemon thread; `shutdown()` and `server_close()` it to stop."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status, extra = answer(self.path, dict(self.headers), body)
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:  # the sender stopped waiting for this answer
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_serving(server: ThreadingHTTPServer | None) -> None:
    """Stop a server `serve_posts` started (nothing when it is not running)."""
    if server is not None:
        server.shutdown()
        server.server_close()
