"""The Task search's parameters, read strictly (as a FHIR server does for `handling=strict`): a
parameter this server does not support, or a value it cannot read, is refused 400 as an
OperationOutcome naming it, never ignored into a wider answer than the client asked for.

Supported (docs/api.md "FHIR"): `requester` and `owner` (`Organization/<id>` or `<id>`), `status`
(Task.status codes, comma-separated for any of them), `_lastUpdated` (prefixes eq, ge, gt, le, lt;
repeat it for a range), `_id` (comma-separated), `_count` (0 to 100; 0 answers the total only) and
`_cursor` (the opaque position the `next` link carries).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from contracts.fields import OrgId
from contracts.lifecycle import FHIR_STATUS
from services.referral.adapters.fhir_tasks import TaskQuery
from warmlink.problems import BadRequest

DEFAULT_COUNT, MAX_COUNT = 20, 100
CURSOR = "_cursor"
SUPPORTED = ("requester", "owner", "status", "_lastUpdated", "_id", "_count", CURSOR)
REPEATABLE = frozenset({"_lastUpdated"})
ORGANIZATION = "Organization/"
# Task.status -> our states (FHIR_STATUS read backwards: in-progress is four of them).
OUR_STATES: dict[str, tuple[str, ...]] = {
    code: tuple(state.value for state, fhir in FHIR_STATUS.items() if fhir.task_status == code)
    for code in sorted({fhir.task_status for fhir in FHIR_STATUS.values()})
}
ONE_MICROSECOND = timedelta(microseconds=1)
_ORG_ID: TypeAdapter[str] = TypeAdapter(OrgId)


def bad(parameter: str, detail: str) -> BadRequest:
    return BadRequest(detail, errors=[{"parameter": parameter, "detail": detail}])


def task_query(organization_id: str, params: Sequence[tuple[str, str]]) -> TaskQuery:
    """The search `params` ask for, within the caller's organization; BadRequest otherwise."""
    given: dict[str, list[str]] = {}
    for name, value in params:
        if name not in SUPPORTED:
            raise bad(name, f"unsupported search parameter {name!r}; supported: {SUPPORTED}")
        given.setdefault(name, []).append(value)
        if len(given[name]) > 1 and name not in REPEATABLE:
            raise bad(name, f"{name} is given more than once")
    one = {name: values[0] for name, values in given.items()}
    updated_from, updated_before = _updated_range(given.get("_lastUpdated", []))
    return TaskQuery(
        organization_id=organization_id,
        requester=_organization(one, "requester"),
        owner=_organization(one, "owner"),
        statuses=_statuses(one["status"]) if "status" in one else None,
        updated_from=updated_from,
        updated_before=updated_before,
        ids=_ids(one["_id"]) if "_id" in one else None,
        count=_count(one.get("_count")),
        after=read_cursor(one[CURSOR]) if CURSOR in one else None,
    )


def _organization(one: dict[str, str], name: str) -> str | None:
    value = one.get(name)
    if value is None:
        return None
    try:  # an organization id as the directory writes them (no spaces, no NUL, 64 at most)
        return _ORG_ID.validate_python(value.removeprefix(ORGANIZATION))
    except ValidationError:
        raise bad(name, f"{name} names an organization: Organization/<id> or <id>") from None


def _statuses(value: str) -> tuple[str, ...]:
    codes = [code.strip() for code in value.split(",")]
    unknown = [code for code in codes if code not in OUR_STATES]
    if unknown:
        known = sorted(OUR_STATES)
        raise bad("status", f"status {unknown[0]!r} is not a Task.status this server uses: {known}")
    return tuple(state for code in codes for state in OUR_STATES[code])


def _ids(value: str) -> tuple[UUID, ...]:
    try:
        return tuple(UUID(part.strip()) for part in value.split(","))
    except ValueError:
        raise bad("_id", "_id is a comma-separated list of Task ids") from None


def _count(value: str | None) -> int:
    if value is None:
        return DEFAULT_COUNT
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_COUNT:
        raise bad("_count", f"_count is a whole number from 0 to {MAX_COUNT}")
    return int(value)


def _updated_range(values: list[str]) -> tuple[datetime | None, datetime | None]:
    """The half-open range [from, before) that every `_lastUpdated` value allows together."""
    lower: datetime | None = None
    upper: datetime | None = None
    for value in values:
        prefix, rest = (value[:2], value[2:]) if value[:2].isalpha() else ("eq", value)
        start, end = _instant(rest.replace(" ", "+"))  # an unencoded '+' arrives as a space
        bounds = {
            "eq": (start, end),
            "ge": (start, None),
            "gt": (end, None),
            "lt": (None, start),
            "le": (None, end),
        }
        if prefix not in bounds:
            raise bad("_lastUpdated", "_lastUpdated takes the prefixes eq, ge, gt, le or lt")
        low, high = bounds[prefix]
        lower = low if lower is None or (low is not None and low > lower) else lower
        upper = high if upper is None or (high is not None and high < upper) else upper
    return lower, upper


def _instant(value: str) -> tuple[datetime, datetime]:
    """The interval a date or an instant stands for: a whole UTC day, or one microsecond."""
    try:
        if len(value) == 10:
            day = datetime.combine(date.fromisoformat(value), time(), UTC)
            return day, day + timedelta(days=1)
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise bad("_lastUpdated", "_lastUpdated needs a time zone when it gives a time")
        at = at.astimezone(UTC)
        return at, at + ONE_MICROSECOND
    except (ValueError, OverflowError):  # not a date; or past the calendar's ends (9999-12-31)
        raise bad("_lastUpdated", "_lastUpdated is a date or an instant with its zone") from None


def write_cursor(updated_at: datetime, referral_id: UUID) -> str:
    """The opaque position after a page's last row, for its `next` link."""
    raw = f"{updated_at.isoformat()}|{referral_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(value: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at, referral_id = raw.split("|")
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("a cursor's time has its zone")
        return when.astimezone(UTC), UUID(referral_id)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise bad(CURSOR, "_cursor is not one this server wrote") from None
