"""Her status page's facts from the referral service, asked for as the portal itself.

She has no account, so no person's token is exchanged: the portal's own client credentials
(client_credentials grant at the directory) name the caller, and the link's token goes as its
SHA-256 only (`GET /v1/patient-status/{sha256}`), so the clear token is in no log there.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx

from services.portal.adapters.network import MARGIN_S, Answer
from services.portal.settings import PortalSettings


class StatusFacts:
    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(timeout=settings.api_timeout_s)
        self._token: tuple[str, float] | None = None

    async def close(self) -> None:
        await self._http.aclose()

    async def _own_token(self) -> str:
        if self._token is not None and self._token[1] - MARGIN_S > time.time():
            return self._token[0]
        response = await self._http.post(
            f"{self.settings.directory_url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=self.settings.client_credentials(),
        )
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        self._token = (str(found["access_token"]), time.time() + float(found["expires_in"]))
        return self._token[0]

    async def of_link(self, token: str) -> Answer:
        """The facts for a link's token: 200 with them, 404 for no such (or an expired) link."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        response = await self._http.get(
            f"{self.settings.referral_url}/v1/patient-status/{digest}",
            headers={"Authorization": f"Bearer {await self._own_token()}"},
        )
        body = response.json() if response.content else None
        return Answer(response.status_code, body)
