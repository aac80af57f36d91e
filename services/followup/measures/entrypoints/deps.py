"""What the measures routes share: the caller's scope, the service's settings and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Protocol, cast
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from services.followup.measures.domain.grouping import Scope, ScopeKind
from warmlink.auth import CallerDep, Role


class MeasureSettings(Protocol):
    """The FollowupSettings fields the measures' routes read (a protocol: what they depend on
    is these, not the whole service's settings)."""

    network_time_zone: str
    capacity_stale_after_hours: float
    metrics_max_days: int


async def _settings(request: Request) -> MeasureSettings:
    return cast(MeasureSettings, request.app.state.runtime.settings)


SettingsDep = Annotated[MeasureSettings, Depends(_settings)]


def now() -> datetime:
    """The system clock; tests override this dependency to look at a day of their choosing."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(now)]


async def _scope(caller: CallerDep) -> Scope:
    """The caller's organization, from the token, bounds what it sees."""
    match caller.role:
        case Role.ADMIN:
            return Scope(ScopeKind.NETWORK)
        case Role.CLINIC:
            return Scope(ScopeKind.SITE, caller.organization_id)
    return Scope(ScopeKind.PRACTICE, caller.organization_id)


ScopeDep = Annotated[Scope, Depends(_scope)]


def time_zone(settings: MeasureSettings) -> ZoneInfo:
    return ZoneInfo(settings.network_time_zone)


def scope_view(scope: Scope) -> dict[str, str | None]:
    return {"kind": str(scope.kind), "organization_id": scope.organization_id}
