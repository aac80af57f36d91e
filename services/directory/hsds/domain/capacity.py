"""HSDS 3.1 ``service_capacity`` for new-patient intake, with its freshness made explicit.

A capacity number nobody has confirmed recently is worse than none, so a stale one says so
three ways: the ``capacity-stale`` term on the capacity and on its service, a ``STALE`` lead in
the capacity ``description``, and ``updated`` (the verification time, never the export time).
The staleness rule is the directory's own (``domain.freshness``): stale when
``now - verified_at > stale_after``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.directory.domain.freshness import Freshness, age_hours, freshness
from services.directory.domain.model import Capacity, Service
from services.directory.hsds.domain.ids import hsds_id
from services.directory.hsds.domain.taxonomy import VOCABULARY, Json, attribute

UNIT: Json = {
    "id": hsds_id("unit", "intake-slot"),
    "name": "intake slot",
    "scheme": VOCABULARY,
    "identifier": "intake-slot",
}
"""One new-patient intake appointment the service can offer."""


def is_stale(capacity: Capacity | None, now: datetime, stale_after: timedelta) -> bool:
    return freshness(capacity, now, stale_after) is Freshness.STALE


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds (HSDS asks for millisecond accuracy)."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _age(hours: float) -> str:
    if hours < 48:
        return f"{round(hours)} hours"
    return f"{round(hours / 24)} days"


def describe(
    capacity: Capacity, zone: str, now: datetime, stale_after: timedelta, *, stale: bool
) -> str:
    """Human-readable summary of one capacity record, leading with STALE when it is."""
    age = _age(age_hours(capacity, now) or 0.0)
    verified = capacity.verified_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    parts = []
    if stale:
        limit = _age(stale_after / timedelta(hours=1))
        parts.append(
            f"STALE: not confirmed for {age} (the limit is {limit}); "
            "call the intake line before relying on these numbers."
        )
    parts.append(f"New-patient intake slots: {capacity.available} of {capacity.maximum} open.")
    if capacity.accepting_new_patients:
        parts.append("Accepting new patients.")
    else:
        parts.append("Not accepting new patients.")
    if capacity.next_available_intake is not None:
        parts.append(f"Next available intake: {capacity.next_available_intake.isoformat()}.")
    if capacity.waitlist_length:
        parts.append(f"Waitlist: {capacity.waitlist_length}.")
    parts.append(f"Verified {verified} {zone} ({age} ago).")
    return " ".join(parts)


def capacity_attributes(
    capacity: Capacity, our_id: str, link_id: str, *, stale: bool
) -> list[Json]:
    entity = "service_capacity"
    result = [
        attribute(
            entity,
            our_id,
            link_id,
            "accepting-new-patients",
            str(capacity.accepting_new_patients).lower(),
        ),
        attribute(entity, our_id, link_id, "waitlist-length", str(capacity.waitlist_length)),
    ]
    if capacity.next_available_intake is not None:
        result.append(
            attribute(
                entity,
                our_id,
                link_id,
                "next-available-intake",
                capacity.next_available_intake.isoformat(),
            )
        )
    if stale:
        result.append(
            attribute(entity, our_id, link_id, "capacity-stale", timestamp(capacity.verified_at))
        )
    return result


def capacities(
    service: Service, service_uuid: str, now: datetime, stale_after: timedelta
) -> list[Json]:
    """The service's ``capacities`` list: empty without a capacity record, else one entry."""
    capacity = service.capacity
    if capacity is None:
        return []
    stale = is_stale(capacity, now, stale_after)
    capacity_uuid = hsds_id("service_capacity", service.id)
    return [
        {
            "id": capacity_uuid,
            "service_id": service_uuid,
            "unit": dict(UNIT),
            "unit_id": UNIT["id"],
            "available": capacity.available,
            "maximum": capacity.maximum,
            "description": describe(capacity, service.time_zone, now, stale_after, stale=stale),
            "updated": timestamp(capacity.verified_at),
            "attributes": capacity_attributes(capacity, service.id, capacity_uuid, stale=stale),
        }
    ]
