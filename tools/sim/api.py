"""The services' public HTTP APIs as the simulator calls them: development tokens per
organization and role, a cap on concurrent requests, and every failure counted, never raised.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tools.sim.tally import Tally
from warmlink.auth import Role
from warmlink.tokens import issue_token

TOKEN_TTL_S = 3600  # the most a verifier accepts (JWT_MAX_LIFETIME_S)
TOKEN_REFRESH_S = 1800  # long runs never send a token near its expiry
RETRIES = 3  # tries of a request answered with Retry-After


@dataclass(frozen=True)
class Urls:
    screening: str = "http://127.0.0.1:8001"
    directory: str = "http://127.0.0.1:8002"
    referral: str = "http://127.0.0.1:8003"
    followup: str = "http://127.0.0.1:8004"

    def of(self, service: str) -> str:
        return str(getattr(self, service))


class Api:
    def __init__(self, urls: Urls, signing_key: bytes, tally: Tally, concurrency: int = 4):
        self.urls = urls
        self._key = signing_key
        self._tally = tally
        self._tokens: dict[tuple[str, Role], tuple[float, str]] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._http = httpx.AsyncClient(timeout=10.0)
        self.last_error: str | None = None  # for a readable message when nothing works

    async def close(self) -> None:
        await self._http.aclose()

    def _auth(self, org: str, role: Role) -> dict[str, str]:
        issued, token = self._tokens.get((org, role), (0.0, ""))
        if time.monotonic() - issued > TOKEN_REFRESH_S or not token:
            token = issue_token(self._key, organization_id=org, role=role, ttl_s=TOKEN_TTL_S)
            self._tokens[(org, role)] = (time.monotonic(), token)
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        what: str,
        service: str,
        method: str,
        path: str,
        *,
        org: str,
        role: Role,
        json: Any = None,
        params: dict[str, str] | None = None,
        key: str | None = None,
        document: tuple[bytes, str] | None = None,
    ) -> Any | None:
        """The JSON answer ({} for an empty one), or None after counting the failure under
        `what` (e.g. "referral") and its status. Bodies are not logged: they hold PHI."""
        headers = self._auth(org, role) | ({"Idempotency-Key": key} if key else {})
        content = None
        if document is not None:  # a body that is a document (bytes, content type), not JSON
            content, headers["Content-Type"] = document
        url = self.urls.of(service) + path
        try:
            for attempt in range(1, RETRIES + 1):
                response = await self._request(
                    method, url, json=json, params=params, headers=headers, content=content
                )
                # A refusal that says when to come back (a referral for a screen still on its
                # way to the worklist) is asked again then, as a site's system would.
                wait = response.headers.get("Retry-After")
                if not (response.is_error and wait and wait.isdigit()) or attempt == RETRIES:
                    break
                await asyncio.sleep(int(wait))
        except httpx.HTTPError as exc:
            self._failed(what, type(exc).__name__)
            return None
        if response.is_error:
            self._failed(what, str(response.status_code))
            return None
        return response.json() if response.content else {}

    async def _request(self, method: str, url: str, **request: Any) -> httpx.Response:
        """One request within the concurrency cap (`request`: httpx's json, params, headers,
        content); a client that retries failures (the fault campaign's, tools/faults/client.py)
        overrides this."""
        async with self._slots:
            return await self._http.request(method, url, **request)

    async def found(self, service: str, path: str, *, org: str, role: Role) -> bool:
        """Whether a GET answers 200 yet: a probe for what is on its way (an event), so a 404
        is an answer here, not a failure to count."""
        try:
            async with self._slots:
                response = await self._http.get(
                    self.urls.of(service) + path, headers=self._auth(org, role)
                )
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _failed(self, what: str, status: str) -> None:
        self._tally.errors[(what, status)] += 1
        self.last_error = f"{what}: {status}"
