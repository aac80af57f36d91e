"""How the referring site's worklist reads: urgent first, each with how long she has waited,
and what an urgent screen still needs (docs/domain.md "Safety path")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.codes import SafetyAssessmentOutcome

OUTCOME_LABELS = {
    SafetyAssessmentOutcome.NO_CURRENT_RISK: "Assessed: no current risk",
    SafetyAssessmentOutcome.CRISIS_LINE_CONTACTED: "Crisis line contacted",
    SafetyAssessmentOutcome.EMERGENCY_EVALUATION: "Sent for emergency evaluation",
    SafetyAssessmentOutcome.DECLINED: "She declined the assessment",
}
REASON_LABELS = {
    "positive_screen": "Positive screen: refer her",
    "declined": "The practice declined: refer her elsewhere",
    "acknowledgement_overdue": "The practice has not acknowledged: redirect",
    "no_timely_appointment": "No appointment in time: redirect",
    "re_engagement": "Back after follow-up: refer again",
}


def waited(since: datetime, now: datetime) -> str:
    """'3 h 05 min', '2 days 4 h': how long she has been on the list."""
    span = max(now - since, timedelta(0))
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


ESCALATES_TO = {
    "site_coordinator": "your site's coordinator",
    "network_coordinator": "the network's coordinator",
}


def deadline(clock: dict[str, Any] | None, now: datetime, zone: ZoneInfo) -> str | None:
    """'Refer or close by Mon 2 Mar 17:00, else your site's coordinator is told', from the
    follow-up service's next clock of the screen; None when it has none (yet)."""
    if not clock:
        return None
    due = datetime.fromisoformat(clock["due_at"])
    who = ESCALATES_TO.get(str(clock.get("escalates_to")), "a coordinator")
    when = due.astimezone(zone).strftime("%a %-d %b %H:%M")
    if due <= now:
        return f"Overdue since {when}: {who} is told"
    return f"Refer or close by {when}, else {who} is told"


def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Urgent first, then the longest waiting (the referral service's order, kept if equal)."""
    return sorted(items, key=lambda i: (not i.get("urgent"), str(i.get("screened_at") or "")))


def needs_safety_assessment(item: dict[str, Any]) -> bool:
    return bool(item.get("urgent")) and not item.get("safety_outcome")


def outcome_label(outcome: str | None) -> str | None:
    if outcome is None:
        return None
    try:
        return OUTCOME_LABELS[SafetyAssessmentOutcome(outcome)]
    except ValueError:
        return outcome
