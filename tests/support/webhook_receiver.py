"""A webhook endpoint for tests: records every request on 127.0.0.1, answers what it is told,
and can be truly down (connection refused) and back on the same port."""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tools.dev.post_server import serve_posts, stop_serving
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
        def answer(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
            status, extra = self.answers.get(path, (200, {}))
            with self._lock:
                self.requests.append(
                    Received(path, headers, body.decode(), status, time.monotonic())
                )
            return status, extra

        self._server = serve_posts(self.port, answer)

    def stop(self) -> None:
        stop_serving(self._server)
        self._server = None


def verifies_v1a(public_key: str, received: Received) -> bool:
    """The Standard Webhooks asymmetric check, as a subscriber makes it with the cryptography
    package (the standardwebhooks package verifies only v1): some `v1a,` signature in the header
    is an ed25519 signature of `id.timestamp.body` under the `whpk_` key."""
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key.removeprefix("whpk_")))
    headers = received.headers
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{received.body}".encode()
    for signature in headers["webhook-signature"].split(" "):
        scheme, _, value = signature.partition(",")
        if scheme != "v1a":
            continue
        try:
            key.verify(base64.b64decode(value), signed)
        except InvalidSignature:
            continue
        return True
    return False
