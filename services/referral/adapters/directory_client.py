"""The directory, seen from the referral service: a practice's intake contacts, next matches.

Calls carry the caller's own bearer token, so the directory applies the caller's rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class DirectoryUnavailable(Exception):
    pass


@dataclass(frozen=True)
class PracticeInfo:
    practice_id: str
    name: str
    service_id: str
    level_of_care: str
    intake_phone: str | None
    intake_url: str | None
    time_zone: str


class DirectoryClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url, self.timeout_s = base_url, timeout_s

    async def practice(self, token: str, practice_id: str, service_id: str) -> PracticeInfo | None:
        """The practice's service, or None when the directory has no such practice/service."""
        body = await self._get(token, f"/v1/organizations/{practice_id}/listing")
        if body is None or body.get("kind") != "practice":
            return None
        for service in body.get("services", []):
            if service["id"] == service_id:
                return PracticeInfo(
                    practice_id=practice_id,
                    name=body["name"],
                    service_id=service_id,
                    level_of_care=service["level_of_care"],
                    intake_phone=service.get("intake_phone"),
                    intake_url=service.get("intake_url"),
                    time_zone=service.get("time_zone") or "America/Chicago",
                )
        return None

    async def matches(self, token: str, criteria: dict[str, Any]) -> dict[str, Any]:
        body = await self._get(token, "/v1/matches", params=criteria)
        if body is None:
            raise DirectoryUnavailable("the directory could not answer the match request")
        return body

    async def _get(
        self, token: str, path: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout_s) as client:
                response = await client.get(
                    path, params=params, headers={"Authorization": f"Bearer {token}"}
                )
        except httpx.HTTPError as exc:
            raise DirectoryUnavailable(type(exc).__name__) from None
        if response.status_code == 404:
            return None
        if response.is_error:
            raise DirectoryUnavailable(f"directory answered {response.status_code}")
        data: dict[str, Any] = response.json()
        return data
