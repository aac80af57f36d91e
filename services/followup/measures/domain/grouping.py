"""Who may see what (scope) and how figures are grouped (group_by). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.followup.measures.domain.facts import Breach, Screen, Step
from services.followup.measures.domain.journey import Journey

NETWORK_GROUP = "all"


class GroupBy(StrEnum):
    NETWORK = "network"
    SITE = "site"
    PRACTICE = "practice"
    SETTING = "setting"
    METHOD = "method"
    URGENCY = "urgency"
    LEVEL_OF_CARE = "level_of_care"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


TIME_GROUPS = frozenset({GroupBy.DAY, GroupBy.WEEK, GroupBy.MONTH})
# Screens know their site, setting and time, not the referral's method, practice or urgency.
SCREEN_GROUPS = frozenset({GroupBy.NETWORK, GroupBy.SITE, GroupBy.SETTING}) | TIME_GROUPS


class ScopeKind(StrEnum):
    NETWORK = "network"
    SITE = "site"
    PRACTICE = "practice"


@dataclass(frozen=True)
class Scope:
    """The network (admin), one referring site (clinic) or one practice (practice).

    A practice sees the referrals it owns now, its own declines (also of referrals it declined and
    that moved on) and breaches charged to it; a site sees the referrals and screens it made.
    """

    kind: ScopeKind
    organization_id: str | None = None

    def sees_referral(self, j: Journey) -> bool:
        match self.kind:
            case ScopeKind.SITE:
                return j.submission.site_id == self.organization_id
            case ScopeKind.PRACTICE:
                return j.practice_id == self.organization_id
        return True

    def sees_decline(self, j: Journey, decline: Step) -> bool:
        if self.kind is ScopeKind.PRACTICE:
            return decline.practice_id == self.organization_id
        return self.sees_referral(j)

    def sees_breach(self, b: Breach) -> bool:
        match self.kind:
            case ScopeKind.SITE:
                return b.site_id == self.organization_id
            case ScopeKind.PRACTICE:
                return b.practice_id == self.organization_id
        return True

    def sees_screen(self, s: Screen) -> bool:
        match self.kind:
            case ScopeKind.SITE:
                return s.site_id == self.organization_id
            case ScopeKind.PRACTICE:
                return False  # a practice sees referrals it received, not the sites' screens
        return True


def period_key(group_by: GroupBy, at: datetime, tz: ZoneInfo) -> str:
    """Day `2026-11-20`, ISO week `2026-W47` or month `2026-11` of `at` in the network's zone."""
    local = at.astimezone(tz)
    if group_by is GroupBy.DAY:
        return local.date().isoformat()
    if group_by is GroupBy.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


def referral_key(
    group_by: GroupBy, j: Journey, tz: ZoneInfo, practice_id: str | None = None
) -> str:
    """The group of a referral; `practice_id` overrides the owner (a decline, a breach)."""
    s = j.submission
    match group_by:
        case GroupBy.NETWORK:
            return NETWORK_GROUP
        case GroupBy.SITE:
            return s.site_id
        case GroupBy.PRACTICE:
            return practice_id or j.practice_id
        case GroupBy.SETTING:
            return s.setting
        case GroupBy.METHOD:
            return s.method
        case GroupBy.URGENCY:
            return s.urgency
        case GroupBy.LEVEL_OF_CARE:
            return s.level_of_care
    return period_key(group_by, s.submitted_at, tz)


def screen_key(group_by: GroupBy, s: Screen, tz: ZoneInfo) -> str | None:
    """The group of a screen, or None when screens cannot be grouped that way."""
    match group_by:
        case GroupBy.NETWORK:
            return NETWORK_GROUP
        case GroupBy.SITE:
            return s.site_id
        case GroupBy.SETTING:
            return s.setting
    if group_by in TIME_GROUPS:
        return period_key(group_by, s.screened_at, tz)
    return None
