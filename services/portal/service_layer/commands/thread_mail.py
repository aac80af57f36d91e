"""A message posted to a referral's thread: the other end's people who can act on it are told by
mail that one is waiting, with a link to sign in. Queued in the caller's transaction (sent after
its commit by workers/outgoing_mail.py), once per message and person: a replayed send queues
nothing more. The mail carries no name, no text and no detail of the referral."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.portal.adapters import message_recipients, outgoing_mail
from services.portal.adapters.outgoing_mail import Mail
from services.portal.domain.thread import (
    MAIL_KIND,
    TOLD,
    mail_id,
    other_end,
    thread_link,
    thread_mail,
    told,
)
from warmlink.crypto import Keyring
from warmlink.db import Connection


def _person_id(subject: str | None) -> list[UUID]:
    if not subject or not subject.startswith("person:"):
        return []
    try:
        return [UUID(subject.removeprefix("person:"))]
    except ValueError:
        return []


async def tell_the_other_end(
    conn: Connection,
    keyring: Keyring,
    public_url: str,
    writer_organization: str,
    posted: dict[str, Any],
    now: datetime,
) -> int:
    """`posted`: the referral service's answer to the message (its ends and the message). How
    many mails were queued by this call."""
    side, organization = other_end(posted, writer_organization)
    maker = _person_id(posted.get("submitted_by")) if side == "site" else []
    people = await message_recipients.candidates(conn, organization, TOLD[side], maker)
    subject, body = thread_mail(thread_link(public_url, posted["referral_id"]))
    queued = 0
    for person in told(side, people, posted.get("submitted_by")):
        about = mail_id(posted["message"]["id"], person.id)
        mail = Mail(person.email, subject, body)
        queued += await outgoing_mail.queue_once(conn, keyring, MAIL_KIND, about, mail, now)
    return queued
