"""The demo region (``deploy/demo/region.json``) parsed into directory listings.

The file mirrors ``domain.model`` in snake case (organizations with nested locations, services
and capacity; a service's ``organization_id`` is its parent's) except for time: a capacity gives
``verified_hours_ago`` and ``next_available_intake_days`` (days after the seed date in the
service's time zone, or null), resolved against the caller's ``now`` so the demo never goes
stale on its own. Unknown keys are errors, and every error starts with the organization id.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.directory.domain.model import (
    Capacity,
    Coverage,
    IntakeHours,
    IntakeMethod,
    LevelOfCare,
    Location,
    Modality,
    Organization,
    OrgKind,
    OrgStatus,
    Population,
    PracticeType,
    Service,
)

DEFAULT_REGION = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "region.json"

E = TypeVar("E", bound=StrEnum)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MISSING = object()


class RegionError(ValueError):
    """The region file is malformed; the message starts with the organization id."""


class _Fields:
    """Typed reads from one JSON object; remembers the keys read so the rest can be rejected."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, dict):
            raise RegionError(f"{where}: expected an object")
        self.raw: dict[str, Any] = raw
        self.read: set[str] = set()
        self.where = where

    def fail(self, message: str) -> RegionError:
        return RegionError(f"{self.where}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: object = _MISSING) -> Any:
        """The value of ``key`` if of type ``kind`` (a bool is no number), else ``default``."""
        self.read.add(key)
        value = self.raw.get(key, default)
        if value is _MISSING:
            raise self.fail(f"missing {key!r}")
        if value is not default and (
            isinstance(value, bool) != (kind is bool) or not isinstance(value, kind)
        ):
            raise self.fail(f"{key!r} has the wrong type ({type(value).__name__})")
        return value

    def text(self, key: str) -> str:
        value: str = self.get(key, str)
        if not value.strip():
            raise self.fail(f"{key!r} must not be empty")
        return value

    def enums(self, key: str, cls: type[E], default: object = _MISSING) -> list[E]:
        values = self.get(key, (list, str), default)
        values = [values] if isinstance(values, str) else values or []
        try:
            return [cls(value) for value in values]
        except ValueError:
            allowed = ", ".join(member.value for member in cls)
            raise self.fail(f"{key!r}: {values!r} must be among {allowed}") from None

    def enum(self, key: str, cls: type[E], default: object = _MISSING) -> E:
        if len(values := self.enums(key, cls, default)) != 1:
            raise self.fail(f"{key!r} must be one value")
        return values[0]

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(value, str) and value for value in values):
            raise self.fail(f"{key!r} must be a list of non-empty strings")
        return tuple(values)

    def objects(self, key: str) -> list[_Fields]:
        values = self.get(key, list, [])
        return [_Fields(value, f"{self.where}.{key}[{i}]") for i, value in enumerate(values)]

    def done(self) -> None:
        if unknown := sorted(set(self.raw) - self.read):
            raise self.fail(f"unknown keys {unknown}")


def load_region(path: Path | None = None, *, now: datetime) -> list[Organization]:
    """Read a region file (the demo region by default); relative times resolve against ``now``."""
    source = path or DEFAULT_REGION
    return parse_region(json.loads(source.read_text(encoding="utf-8")), now=now)


def parse_region(data: object, *, now: datetime) -> list[Organization]:
    """Parse the decoded JSON of a region file; raises ``RegionError`` naming the organization."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    root = _Fields(data, "region")
    orgs = []
    for index, fields in enumerate(root.objects("organizations")):
        org_id = fields.raw.get("id")
        fields.where = org_id if isinstance(org_id, str) and org_id else f"organizations[{index}]"
        orgs.append(_organization(fields, now))
    root.done()
    owners = [(org.id, "organization", org.id) for org in orgs]
    owners += [(org.id, "location", loc.id) for org in orgs for loc in org.locations]
    owners += [(org.id, "service", service.id) for org in orgs for service in org.services]
    seen: dict[tuple[str, str], str] = {}
    for org_id, kind, our_id in owners:
        if (kind, our_id) in seen:
            raise RegionError(
                f"{org_id}: {kind} id {our_id!r} is already used by {seen[kind, our_id]}"
            )
        seen[kind, our_id] = org_id
    return orgs


def _organization(fields: _Fields, now: datetime) -> Organization:
    org_id = fields.text("id")
    kind = fields.enum("kind", OrgKind)
    practice_types = fields.enums("practice_type", PracticeType, None)
    if (kind is OrgKind.PRACTICE) != bool(practice_types):
        raise fields.fail("'practice_type' is required for practices and only for them")
    org = Organization(
        id=org_id,
        name=fields.text("name"),
        kind=kind,
        status=fields.enum("status", OrgStatus, "active"),
        practice_type=practice_types[0] if practice_types else None,
        description=fields.get("description", str, ""),
        website=fields.get("website", str, None),
        phone=fields.get("phone", str, None),
        locations=tuple(_location(f) for f in fields.objects("locations")),
        services=tuple(_service(f, org_id, now) for f in fields.objects("services")),
    )
    fields.done()
    if (kind is OrgKind.PRACTICE) != bool(org.services):
        raise fields.fail("practices, and only practices, must offer services")
    known = {loc.id for loc in org.locations}
    for service in org.services:
        if missing := sorted(set(service.location_ids) - known):
            raise fields.fail(f"service {service.id!r} names unknown locations {missing}")
    return org


def _location(fields: _Fields) -> Location:
    location = Location(
        id=fields.text("id"),
        name=fields.text("name"),
        address_1=fields.text("address_1"),
        city=fields.text("city"),
        state=fields.text("state"),
        postal_code=fields.text("postal_code"),
        latitude=float(fields.get("latitude", (int, float))),
        longitude=float(fields.get("longitude", (int, float))),
    )
    fields.done()
    if not (-90 <= location.latitude <= 90 and -180 <= location.longitude <= 180):
        raise fields.fail(f"location {location.id!r} has impossible coordinates")
    return location


def _service(fields: _Fields, org_id: str, now: datetime) -> Service:
    if fields.get("organization_id", str, org_id) != org_id:
        raise fields.fail("'organization_id' must be the parent organization's id")
    time_zone = fields.text("time_zone")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fields.fail(f"unknown time zone {time_zone!r}") from None
    cover = _Fields(fields.get("coverage", dict, {}), f"{fields.where}.coverage")
    coverage = Coverage(
        frozenset(cover.strings("insurance_plans")),
        cover.get("accepts_medicaid", bool, False),
        cover.get("sliding_scale", bool, False),
        cover.get("free", bool, False),
    )
    cover.done()
    capacity = fields.get("capacity", dict, None)
    service = Service(
        id=fields.text("id"),
        organization_id=org_id,
        name=fields.text("name"),
        level_of_care=fields.enum("level_of_care", LevelOfCare),
        modalities=frozenset(fields.enums("modalities", Modality)),
        populations=frozenset(fields.enums("populations", Population)),
        postpartum_months=fields.get("postpartum_months", int, 12),
        pmhc_certified=fields.get("pmhc_certified", bool, False),
        infant_welcome=fields.get("infant_welcome", bool, False),
        languages=frozenset(fields.strings("languages")),
        coverage=coverage,
        telehealth_states=frozenset(fields.strings("telehealth_states")),
        location_ids=fields.strings("location_ids"),
        intake_methods=frozenset(fields.enums("intake_methods", IntakeMethod)),
        intake_phone=fields.get("intake_phone", str, None),
        intake_url=fields.get("intake_url", str, None),
        intake_hours=tuple(_hours(f) for f in fields.objects("intake_hours")),
        time_zone=time_zone,
        description=fields.get("description", str, ""),
        capacity=None
        if capacity is None
        else _capacity(_Fields(capacity, fields.where), zone, now),
    )
    fields.done()
    methods = service.intake_methods
    problems = [
        (not service.languages, "names no language"),
        (not service.intake_hours, "has no intake hours"),
        (Modality.TELEHEALTH in service.modalities and not service.telehealth_states,
         "offers telehealth but names no licensed state"),
        (Modality.IN_PERSON in service.modalities and not service.location_ids,
         "is in person but names no location"),
        (IntakeMethod.INTAKE_LINE in methods and not service.intake_phone,
         "has an intake line but no intake_phone"),
        (bool({IntakeMethod.REFERRAL_FORM, IntakeMethod.SCHEDULING_LINK} & methods)
         and not service.intake_url, "has a form or scheduling link but no intake_url"),
    ]  # fmt: skip
    for failed, problem in problems:
        if failed:
            raise fields.fail(f"service {service.id!r} {problem}")
    return service


def _hours(fields: _Fields) -> IntakeHours:
    hours = IntakeHours(fields.get("weekday", int), fields.text("opens"), fields.text("closes"))
    fields.done()
    if not (0 <= hours.weekday <= 6 and _HHMM.match(hours.opens) and _HHMM.match(hours.closes)):
        raise fields.fail("intake hours need a weekday 0-6 and HH:MM times")
    if hours.opens >= hours.closes:
        raise fields.fail(f"intake hours open at {hours.opens} but close at {hours.closes}")
    return hours


def _capacity(fields: _Fields, zone: ZoneInfo, now: datetime) -> Capacity:
    fields.where += ".capacity"
    days = fields.get("next_available_intake_days", int, None)
    hours_ago = fields.get("verified_hours_ago", (int, float))
    today = now.astimezone(zone).date()
    capacity = Capacity(
        available=fields.get("available", int),
        maximum=fields.get("maximum", int),
        next_available_intake=None if days is None else today + timedelta(days=days),
        accepting_new_patients=fields.get("accepting_new_patients", bool),
        waitlist_length=fields.get("waitlist_length", int, 0),
        verified_at=now - timedelta(hours=hours_ago),
        verified_by=fields.text("verified_by"),
    )
    fields.done()
    if min(capacity.available, capacity.waitlist_length, days or 0, hours_ago) < 0:
        raise fields.fail("capacity numbers must not be negative")
    if capacity.available > capacity.maximum:
        raise fields.fail(f"{capacity.available} available is more than {capacity.maximum} maximum")
    return capacity
