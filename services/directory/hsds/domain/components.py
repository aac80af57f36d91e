"""The parts of an HSDS service: phones, languages, schedules, service areas, costs, funding.

Each function takes the listing ``Service`` and the service's HSDS UUID and returns a list of HSDS
3.1 objects whose ids are derived (``hsds_id``) from the service id, so they are stable too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.directory.domain.model import Modality, Service
from services.directory.hsds.domain.ids import hsds_id
from services.directory.hsds.domain.names import (
    language_name,
    plan_name,
    primary_subtag,
    state_name,
)
from services.directory.hsds.domain.taxonomy import Json

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
"""RFC 5545 day codes by ``IntakeHours.weekday`` (0 = Monday)."""


def phones(service: Service, service_uuid: str) -> list[Json]:
    if service.intake_phone is None:
        return []
    return [
        {
            "id": hsds_id("phone", f"{service.id}/intake"),
            "service_id": service_uuid,
            "number": service.intake_phone,
            "type": "voice",
            "description": "Intake line: call it with the patient present for a warm handoff.",
        }
    ]


def languages(service: Service, service_uuid: str) -> list[Json]:
    result: list[Json] = []
    for tag in sorted(service.languages):
        language: Json = {
            "id": hsds_id("language", f"{service.id}/{tag}"),
            "service_id": service_uuid,
            "name": language_name(tag),
            "code": primary_subtag(tag),
        }
        if primary_subtag(tag) != tag:
            language["note"] = f"BCP 47 tag {tag}"
        result.append(language)
    return result


def utc_offset(zone_name: str, now: datetime) -> timedelta:
    """The offset from UTC in force in ``zone_name`` at ``now`` (which must be aware)."""
    offset = now.astimezone(ZoneInfo(zone_name)).utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always knows its offset
        raise ValueError(f"no UTC offset for {zone_name}")
    return offset


def _offset_suffix(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def schedules(service: Service, service_uuid: str, now: datetime) -> list[Json]:
    """Intake hours as weekly RRULE schedules, one per distinct (opens, closes) pair.

    HSDS 3.1 ``timezone`` is a number (hours from UTC) and ``opens_at``/``closes_at`` carry an
    offset, so both use the offset in force at ``now``; the IANA zone is kept in the notes, as
    the wall-clock hours are what stay fixed across daylight-saving changes.
    """
    offset = utc_offset(service.time_zone, now)
    hours = offset.total_seconds() / 3600
    suffix = _offset_suffix(offset)
    by_hours: dict[tuple[str, str], set[int]] = {}
    for entry in service.intake_hours:
        by_hours.setdefault((entry.opens, entry.closes), set()).add(entry.weekday)
    result: list[Json] = []
    for (opens, closes), weekdays in sorted(by_hours.items(), key=lambda i: (min(i[1]), i[0])):
        byday = ",".join(RRULE_DAYS[day] for day in sorted(weekdays))
        result.append(
            {
                "id": hsds_id("schedule", f"{service.id}/{byday}/{opens}-{closes}"),
                "service_id": service_uuid,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": byday,
                "opens_at": f"{opens}{suffix}",
                "closes_at": f"{closes}{suffix}",
                "timezone": int(hours) if hours.is_integer() else hours,
                "description": f"Intake line hours: {byday} {opens}-{closes} local time.",
                "notes": (
                    f"Hours are wall-clock time in {service.time_zone}; the UTC offset given is "
                    f"the one in force on {now.astimezone(ZoneInfo(service.time_zone)).date()}."
                ),
            }
        )
    return result


def service_areas(service: Service, service_uuid: str) -> list[Json]:
    """The states where the service's clinicians are licensed for telehealth."""
    if Modality.TELEHEALTH not in service.modalities:
        return []
    return [
        {
            "id": hsds_id("service_area", f"{service.id}/{state}"),
            "service_id": service_uuid,
            "name": f"{state_name(state)} (telehealth)",
            "description": (
                f"Telehealth for patients located in {state_name(state)}, where the service's "
                "clinicians are licensed."
            ),
            "extent": f"US-{state}",
            "extent_type": "text",
        }
        for state in sorted(service.telehealth_states)
    ]


def cost_options(service: Service, service_uuid: str) -> list[Json]:
    coverage = service.coverage

    def option(key: str, **fields: object) -> Json:
        base: Json = {
            "id": hsds_id("cost_option", f"{service.id}/{key}"),
            "service_id": service_uuid,
        }
        return base | fields

    result: list[Json] = []
    if coverage.free:
        result.append(
            option("free", option="Free", amount=0, currency="USD", amount_description="No charge.")
        )
    if coverage.sliding_scale:
        result.append(
            option(
                "sliding_scale",
                option="Sliding scale",
                currency="USD",
                amount_description="Fee set by household income and size; no insurance needed.",
            )
        )
    if coverage.accepts_medicaid:
        result.append(option("medicaid", option="Medicaid", amount_description="Accepts Medicaid."))
    for plan in sorted(coverage.insurance_plans):
        result.append(
            option(
                f"plan/{plan}",
                option=f"Insurance: {plan_name(plan)}",
                amount_description=f"In network (plan id {plan}); the plan's cost sharing applies.",
            )
        )
    return result


def fees_description(service: Service) -> str:
    coverage = service.coverage
    parts = [
        label
        for label, offered in (
            ("free", coverage.free),
            ("sliding scale", coverage.sliding_scale),
            ("Medicaid", coverage.accepts_medicaid),
        )
        if offered
    ]
    if coverage.insurance_plans:
        names = ", ".join(plan_name(plan) for plan in sorted(coverage.insurance_plans))
        parts.append(f"insurance: {names}")
    if not parts:
        return "No payment options recorded: ask the intake line."
    return "Payment: " + "; ".join(parts) + "."


def funding(service: Service, service_uuid: str) -> list[Json]:
    if not service.coverage.accepts_medicaid:
        return []
    return [
        {
            "id": hsds_id("funding", f"{service.id}/medicaid"),
            "service_id": service_uuid,
            "source": "Medicaid reimbursement",
        }
    ]
