"""The directory, seen from the referral service: a practice's intake contacts, next matches.

Calls carry the caller's own bearer token, so the directory applies the caller's rights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from warmlink.business_time import (
    BUSINESS_HOURS,
    NO_HOLIDAYS,
    AcknowledgementRule,
    BusinessCalendar,
    HolidayCheck,
    IntakeWindow,
)

PRACTICE_TTL_S = 60.0


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
    calendar: BusinessCalendar  # the practice's zone and intake hours, the network's holidays
    ack_rule: AcknowledgementRule
    # Suspended from the network: listed still (its referrals stay readable), sent none.
    suspended: bool = False

    def acknowledge_by(self, since: datetime, urgent: bool) -> datetime:
        """The deadline promised to the patient ("you will hear within one business day")."""
        return self.ack_rule.due(self.calendar, since, urgent)


class DirectoryClient:
    """One long-lived HTTP client: creating one per call builds a TLS context each time (~40 ms)."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float,
        is_holiday: HolidayCheck = NO_HOLIDAYS,
        ack_rule: AcknowledgementRule = AcknowledgementRule(),
        listing_keep_s: float = PRACTICE_TTL_S,
    ) -> None:
        self.base_url, self.timeout_s = base_url, timeout_s
        self.listing_keep_s = listing_keep_s
        self.is_holiday, self.ack_rule = is_holiday, ack_rule
        self._client: httpx.AsyncClient | None = None
        self._practices: dict[tuple[str, str], tuple[PracticeInfo, float]] = {}

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout_s)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def practice(self, token: str, practice_id: str, service_id: str) -> PracticeInfo | None:
        """The practice's service, or None when the directory has no such practice/service.

        Found practices are remembered for a minute: names and intake contacts change rarely,
        and every warm handoff would otherwise wait for the directory. So a suspension reaches
        submissions within `listing_keep_s`, as it reaches tokens within the JWKS document's
        age."""
        cached = self._practices.get((practice_id, service_id))
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        info = await self._fetch_practice(token, practice_id, service_id)
        if info is not None:
            kept_until = time.monotonic() + self.listing_keep_s
            self._practices[(practice_id, service_id)] = (info, kept_until)
        return info

    async def _fetch_practice(
        self, token: str, practice_id: str, service_id: str
    ) -> PracticeInfo | None:
        body = await self._get(token, f"/v1/organizations/{practice_id}/listing")
        if body is None or body.get("kind") != "practice":
            return None
        for service in body.get("services", []):
            if service["id"] == service_id:
                zone = service.get("time_zone") or "America/Chicago"
                return PracticeInfo(
                    practice_id=practice_id,
                    name=body["name"],
                    service_id=service_id,
                    level_of_care=service["level_of_care"],
                    intake_phone=service.get("intake_phone"),
                    intake_url=service.get("intake_url"),
                    time_zone=zone,
                    calendar=BusinessCalendar(zone, _windows(service), self.is_holiday),
                    ack_rule=self.ack_rule,
                    suspended=body.get("status") == "suspended",
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
            response = await self._http().get(
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


def _windows(service: dict[str, Any]) -> tuple[IntakeWindow, ...]:
    hours = service.get("intake_hours") or []
    return tuple(IntakeWindow.parse(h["weekday"], h["opens"], h["closes"]) for h in hours) or (
        BUSINESS_HOURS
    )
