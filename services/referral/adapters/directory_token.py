"""The referral service's own token for the directory: the network's client credentials
(REFERRAL_DIRECTORY_CLIENT_ID / _SECRET), exchanged at `POST /oauth/token` and kept until shortly
before they expire. A background worker has no caller whose token it could pass on."""

from __future__ import annotations

import time

import httpx

from services.referral.adapters.directory_client import DirectoryUnavailable

# Fetched again this long before the directory says it expires: a token never lapses mid-call.
RENEW_BEFORE_S = 60.0


class DirectoryToken:
    def __init__(
        self, base_url: str, client_id: str, client_secret: str, timeout_s: float = 3.0
    ) -> None:
        self._url = base_url.rstrip("/") + "/oauth/token"
        self._auth = (client_id, client_secret)
        self._timeout_s = timeout_s
        self._token: str | None = None
        self._renew_at = 0.0

    async def get(self) -> str:
        if self._token is None or time.monotonic() >= self._renew_at:
            self._token, lifetime = await self._fetch()
            self._renew_at = time.monotonic() + max(lifetime - RENEW_BEFORE_S, lifetime / 2)
        return self._token

    async def _fetch(self) -> tuple[str, float]:
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.post(
                    self._url, data={"grant_type": "client_credentials"}, auth=self._auth
                )
        except httpx.HTTPError as exc:
            raise DirectoryUnavailable(type(exc).__name__) from None
        if response.is_error:
            # The body of a refusal names no secret; its status says enough.
            raise DirectoryUnavailable(f"token endpoint answered {response.status_code}")
        body = response.json()
        return str(body["access_token"]), float(body.get("expires_in", 300))
