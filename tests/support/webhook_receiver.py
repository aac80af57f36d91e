"""A webhook endpoint for tests: records every request on 127.0.0.1, answers what it is told,
and can be truly down (connection refused) and back on the same port."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from tools.dev.processes import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: str
    answered: int
    at: float  # monotonic

    @property
    def number(self) -> int:
        number: int = orjson.loads(self.body)["event_number"]
        return number


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records every request; `stop()` makes it truly down
    (connection refused) and `start()` brings it back on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[Received] = []
        self.answers: dict[str, tuple[int, dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.answers[path] = (status, headers or {})

    def received(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def accepted(self, path: str) -> list[int]:
        return [r.number for r in self.received(path) if 200 <= r.answered < 300]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                status, extra = receiver.answers.get(self.path, (200, {}))
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.path, dict(self.headers), body, status, time.monotonic())
                    )
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
