"""Who saw or changed a referral, said for people: the services' access log entries as rows of
a table (when, who, in what role, what they did to which part of the record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from warmlink.roles import Role

PERSON_PREFIX = "person:"
# What each audited record is to a reader of the log.
RECORD_LABELS = {
    "referral": "the referral",
    "referral_patient": "her name and contact details",
    "referral_appointment": "where and how to join the appointment",
    "referral_discharge_summary": "the discharge summary",
    "referral_messages": "the messages between the site and the practice",
    "worklist_item": "the worklist item",
    "worklist_closure_note": "the closure note",
    "screening": "the screen's answers and result",
}


@dataclass(frozen=True)
class AccessRow:
    at: str
    who: str
    organization_id: str
    role: str
    what: str


def looks_up_any_referral(access_role: Role) -> bool:
    """The network's people may look up any referral's log by its id; a site's coordinator
    reaches her own site's from the referral."""
    return access_role is Role.ADMIN


def referral_id_of(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None


def person_ids(entries: list[dict[str, Any]]) -> set[UUID]:
    """The people the entries name (person:<uuid>), to show them by their email."""
    found = set()
    for entry in entries:
        actor = str(entry["actor"])
        if actor.startswith(PERSON_PREFIX):
            person = referral_id_of(actor.removeprefix(PERSON_PREFIX))
            if person is not None:
                found.add(person)
    return found


def _what(entry: dict[str, Any]) -> str:
    if entry.get("change"):
        return "Changed the referral: " + str(entry["change"]).replace("_", " ")
    verb = "Read" if entry["action"] == "read" else "Wrote"
    return f"{verb} {RECORD_LABELS.get(entry['record_type'], entry['record_type'])}"


def _who(entry: dict[str, Any], emails: dict[str, str]) -> str:
    actor = str(entry["actor"])
    if actor.startswith(PERSON_PREFIX):
        return emails.get(actor.removeprefix(PERSON_PREFIX), actor)
    return f"{actor} (a system, not a person)"


def _role(entry: dict[str, Any]) -> str:
    role = entry.get("person_role") or entry.get("role") or "the network"
    return str(role).replace("_", " ")


def rows(entries: list[dict[str, Any]], emails: dict[str, str], zone: ZoneInfo) -> list[AccessRow]:
    return [
        AccessRow(
            at=datetime.fromisoformat(e["at"]).astimezone(zone).strftime("%d %b %Y, %H:%M:%S"),
            who=_who(e, emails),
            organization_id=str(e["organization_id"]),
            role=_role(e),
            what=_what(e),
        )
        for e in entries
    ]
