"""The development mail sink's Maildir, read for the portal's /dev/mailbox page. Only ever
configured in development (the settings refuse it in production)."""

from __future__ import annotations

import mailbox
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Delivered:
    id: str  # the Maildir key: the message's file name
    to: str
    sender: str
    subject: str
    received_at: datetime
    text: str  # the plain-text part; an HTML-only message's source (the page escapes it)

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, is_link): http(s) links become clickable, nothing else."""
        found, at = [], 0
        for link in LINK.finditer(self.text):
            found += [(self.text[at : link.start()], False), (link.group(), True)]
            at = link.end()
        return [*found, (self.text[at:], False)]


def _text_of(message: Message) -> str:
    parts = list(message.walk()) if message.is_multipart() else [message]
    for wanted in ("text/plain", "text/html"):
        for part in parts:
            if part.get_content_type() == wanted:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    charset = part.get_content_charset() or "utf-8"
                    return payload.decode(charset, errors="replace")
    return ""


def _delivered(key: str, message: mailbox.MaildirMessage) -> Delivered:
    return Delivered(
        key,
        str(message.get("To", "")),
        str(message.get("From", "")),
        str(message.get("Subject", "")),
        datetime.fromtimestamp(message.get_date(), UTC),  # when the sink delivered it
        _text_of(message),
    )


def newest_first(maildir: Path, limit: int = 200) -> list[Delivered]:
    box = mailbox.Maildir(maildir, create=True)
    found = [_delivered(key, message) for key, message in box.iteritems()]
    return sorted(found, key=lambda d: (d.received_at, d.id), reverse=True)[:limit]


def one(maildir: Path, key: str) -> Delivered | None:
    """None for a key the Maildir does not hold: keys are looked up, never joined to a path."""
    box = mailbox.Maildir(maildir, create=True)
    try:
        return _delivered(key, box[key])
    except KeyError:
        return None
