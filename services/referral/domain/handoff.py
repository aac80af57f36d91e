"""What a warm handoff needs before it is sent: consent, and what its setting adds. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from contracts.codes import AccessBarrier

# When a last IOP/PHP session is the deadline: the practice's morning of that day.
LAST_SESSION_AT = time(9, 0)


def missing_for_setting(
    setting: str,
    *,
    consent_given: bool,
    part2: bool,
    part2_redisclosure: bool,
    infant_visit_ref: str | None,
    planned_discharge_at: datetime | None,
    last_iop_session_on: date | None,
    discharge_summary_ref: str | None,
) -> list[tuple[str, str]]:
    """What stops the referral, as (JSON pointer into the request, sentence); empty if nothing."""
    problems = []
    if not consent_given:
        problems.append(("/consent/given", "the patient's consent is needed to refer her"))
    if part2 and not part2_redisclosure:
        problems.append(
            ("/consent/part2_redisclosure", "42 CFR Part 2 data needs her consent to redisclose")
        )
    if setting == "pediatric" and not infant_visit_ref:
        problems.append(("/infant_visit_ref", "a pediatric referral links the infant's visit"))
    if setting == "hospital" and planned_discharge_at is None:
        problems.append(("/planned_discharge_at", "a hospital referral needs the discharge time"))
    # The discharge summary is not asked for up front: it travels as a document, before or
    # after the practice acknowledges (PUT .../discharge-summary), and the follow-up gate
    # waits for it. A legacy reference string is still accepted and counts as sent.
    if setting == "iop_php" and last_iop_session_on is None:
        problems.append(("/last_iop_session_on", "needed for an IOP/PHP referral"))
    return problems


def appointment_needed_by(
    planned_discharge_at: datetime | None, last_iop_session_on: date | None, time_zone: str
) -> datetime | None:
    """The hospital discharge, else the last IOP/PHP session in the practice's time zone."""
    if planned_discharge_at is not None:
        return planned_discharge_at
    if last_iop_session_on is not None:
        local = datetime.combine(last_iop_session_on, LAST_SESSION_AT, tzinfo=ZoneInfo(time_zone))
        return local.astimezone(UTC)
    return None


def barrier_codes(named: Iterable[AccessBarrier]) -> tuple[str, ...]:
    """The barriers she named, once each, in the code set's order (the form's order does not
    matter, and the monthly review counts each once per referral)."""
    given = set(named)
    return tuple(b.value for b in AccessBarrier if b in given)
