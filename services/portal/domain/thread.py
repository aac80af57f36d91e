"""A referral's message thread as the portal shows it to either end (the referring site's
people and the receiving practice's), and the mail that tells the other end a message is
waiting. Pure.

The mail says only that a message is waiting, with a link to sign in and read it: no name, no
text, no detail of the referral beyond the link, since mail leaves the network's control.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from warmlink.roles import PersonRole, Role

MAIL_KIND = "referral_message"
MAIL_SUBJECT = "A new message about a referral is waiting in Warmlink"
# Who at the other end can act on a message: the practice's intake coordinators; the site's
# coordinators (and, by the thread's `submitted_by`, the person who made the referral).
TOLD = {
    "practice": frozenset({PersonRole.INTAKE_COORDINATOR}),
    "site": frozenset({PersonRole.SITE_COORDINATOR}),
}
SIDE_NAMES = {"site": "The referring site", "practice": "The practice"}
# For mail ids: one mail per message and person, whichever request queues it.
_MAIL_NAMESPACE = uuid.UUID("5f0f3c1e-2b7a-4c55-9a43-6d0c1e7b9a21")


def writes_threads(access_role: Role) -> bool:
    """The two ends of a referral: a referring site's people and a receiving practice's."""
    return access_role in (Role.CLINIC, Role.PRACTICE)


def thread_link(public_url: str, referral_id: UUID | str) -> str:
    return f"{public_url.rstrip('/')}/referrals/{referral_id}/messages"


def thread_mail(link: str) -> tuple[str, str]:
    """Subject and plain-text body: that a message waits, and where to sign in. Nothing else."""
    body = (
        "A new message about a referral is waiting in Warmlink.\n\n"
        "Sign in to read it and answer:\n\n"
        f"{link}\n\n"
        "This email says nothing about the patient or the message, on purpose.\n"
    )
    return MAIL_SUBJECT, body


def other_end(ends: dict[str, Any], writer_organization: str) -> tuple[str, str]:
    """(side, organization id) of the end that did not write the message."""
    if writer_organization == ends["site_id"]:
        return "practice", str(ends["practice_id"])
    return "site", str(ends["site_id"])


def mail_id(message_id: str, person_id: UUID) -> UUID:
    return uuid.uuid5(_MAIL_NAMESPACE, f"{message_id}:{person_id}")


@dataclass(frozen=True)
class Recipient:
    id: UUID
    email: str
    role: PersonRole


def told(side: str, people: list[Recipient], submitted_by: str | None) -> list[Recipient]:
    """Who at `side` is mailed: the roles that act on a message there and, at the site, the
    person who made the referral (by her subject, `person:<uuid>`)."""
    maker = submitted_by.removeprefix("person:") if submitted_by else None
    return [
        p
        for p in people
        if p.role in TOLD[side] or (side == "site" and maker is not None and str(p.id) == maker)
    ]


@dataclass(frozen=True)
class MessageView:
    who: str
    at: str
    text: str
    own: bool  # written by her own organization


def message_views(
    items: list[dict[str, Any]],
    own_organization: str,
    names: dict[str, str],
    zone: ZoneInfo,
) -> list[MessageView]:
    """The thread oldest first, newest last: a person of her own organization by her email;
    the other end by what it is and its id, since its people are its own to name."""
    views = []
    for item in items:
        own = item["organization_id"] == own_organization
        if own:
            who = names.get(item["author"], f"Your organization ({item['organization_id']})")
        else:
            who = f"{SIDE_NAMES[item['side']]} ({item['organization_id']})"
        at = datetime.fromisoformat(item["written_at"]).astimezone(zone)
        views.append(MessageView(who, at.strftime("%a %-d %b %Y %H:%M"), item["text"], own))
    return views
