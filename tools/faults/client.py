"""The simulator's API client as a real site's system behaves under faults: a request that fails
(no connection, a timeout, a 5xx) is sent again, with the same Idempotency-Key, until it is
answered or the retry window ends. Every keyed request's final answer goes in a ledger."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tools.sim.api import Api, Urls
from tools.sim.tally import Tally

RETRY_WINDOW_S = 120.0  # longer than any fault the campaign applies
FIRST_PAUSE_S = 0.25
LONGEST_PAUSE_S = 2.0
GAVE_UP = 0  # the ledger's status for a key never answered


@dataclass
class Ledger:
    """Idempotency-Key -> (status of its last answer, the created resource's id), and how many
    requests were sent again."""

    answers: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    retries: int = 0

    def keys_answered(self, prefix: str, ok: bool = True) -> dict[str, str | None]:
        return {
            key: rid
            for key, (status, rid) in self.answers.items()
            if key.startswith(prefix) and (200 <= status < 300) == ok
        }


def _retryable(response: httpx.Response) -> bool:
    return response.status_code in (500, 502, 503, 504)


class RetryingApi(Api):
    def __init__(self, urls: Urls, signing_key: bytes, tally: Tally, ledger: Ledger):
        super().__init__(urls, signing_key, tally)
        self.ledger = ledger

    async def _request(self, method: str, url: str, **request: Any) -> httpx.Response:
        headers: dict[str, str] = request["headers"]
        key = headers.get("Idempotency-Key")
        deadline = time.monotonic() + RETRY_WINDOW_S
        pause = FIRST_PAUSE_S
        while True:
            try:
                response = await super()._request(method, url, **request)
            except httpx.HTTPError:
                if time.monotonic() + pause >= deadline:
                    if key:
                        self.ledger.answers[key] = (GAVE_UP, None)
                    raise
            else:
                if not _retryable(response) or time.monotonic() + pause >= deadline:
                    if key:
                        self.ledger.answers[key] = (response.status_code, _created_id(response))
                    return response
            self.ledger.retries += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_S)


def _created_id(response: httpx.Response) -> str | None:
    if not response.is_success or not response.content:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body["id"]) if isinstance(body, dict) and "id" in body else None
