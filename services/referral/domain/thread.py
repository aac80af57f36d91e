"""The message thread between a referral's referring site and its receiving practice: what a
message is and what is accepted. Pure.

A message is free text about a patient, so it is PHI: the adapters seal it, and nothing outside
the thread's own answers (events, logs, the portal's mail) ever carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from warmlink.errors import Invalid

# Long enough for a paragraph about intake or a question back; a document travels as one.
MAX_MESSAGE_CHARS = 2000


class Side(StrEnum):
    SITE = "site"
    PRACTICE = "practice"


@dataclass(frozen=True)
class ThreadMessage:
    id: UUID
    referral_id: UUID
    side: Side
    organization_id: str
    author: str  # the token's subject: person:<uuid>, or a machine client's id
    role: str
    person_role: str | None
    written_at: datetime
    text: str


def message_text(text: str) -> str:
    """The text as it is kept (trailing blank lines dropped); Invalid at `/text` when there is
    nothing to send or too much."""
    kept = text.strip()
    if not kept:
        raise Invalid("Write a message before sending it.", field="/text")
    if len(kept) > MAX_MESSAGE_CHARS:
        raise Invalid(
            f"A message is at most {MAX_MESSAGE_CHARS} characters ({len(kept)} written).",
            field="/text",
        )
    return kept


def side_of(organization_id: str, site_id: str) -> Side:
    """Which end of the thread an organization that may see the referral writes from."""
    return Side.SITE if organization_id == site_id else Side.PRACTICE
