"""The campaign's webhook subscriber: applies each notification by its webhook-id and writes every
request it answered to a JSON-lines log the checker reads. It can be made to hang (accept, answer
nothing) or to answer 500 for a while, as a subscriber's outage."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

from tools.dev.post_server import serve_posts
from tools.dev.processes import free_port

HANG_POLL_S = 0.05


class Subscriber:
    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._lock = threading.Lock()
        self._hang_until = 0.0  # monotonic
        self._fail_until = 0.0
        self._server: ThreadingHTTPServer | None = None
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("ab")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hang_for(self, seconds: float) -> float:
        """Hang every request from now for `seconds`; returns when that ends (monotonic)."""
        with self._lock:
            self._hang_until = max(self._hang_until, time.monotonic() + seconds)
            return self._hang_until

    def fail_for(self, seconds: float) -> float:
        with self._lock:
            self._fail_until = max(self._fail_until, time.monotonic() + seconds)
            return self._fail_until

    def recover(self) -> None:
        """End every outage now."""
        with self._lock:
            self._hang_until = self._fail_until = 0.0

    def _answer(self, headers: dict[str, str], body: bytes, path: str) -> int:
        """Wait out a hang, then 500 while failing, else apply (log) and 200."""
        while time.monotonic() < self._hang_until:
            time.sleep(HANG_POLL_S)
        status = 500 if time.monotonic() < self._fail_until else 200
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = {}
        entry = {
            "webhook_id": headers.get("webhook-id"),
            "path": path,
            "subscription_id": data.get("subscription_id"),
            "event_number": data.get("event_number"),
            "type": data.get("type"),
            "answered": status,
            "at": datetime.now(UTC).isoformat(),
        }
        with self._lock:
            self._log.write(orjson.dumps(entry) + b"\n")
            self._log.flush()
        return status

    def start(self) -> None:
        def answer(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
            return self._answer({k.lower(): v for k, v in headers.items()}, body, path), {}

        self._server = serve_posts(self.port, answer)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._log.close()


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every request the subscriber answered, in order."""
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
