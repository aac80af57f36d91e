"""Who read or changed a referral: how the pages of its access log are walked.

The answer lists ids and codes (who, from which organization, in what role, did what to which
record, when), never the record itself. Who may ask is the network's rule for every audit trail
(`warmlink.roles.reads_audit_trail`): the referring site's coordinator and the network.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: entries are newest first, ties broken by source, then id."""

    at: datetime
    source: str
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.source}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """The cursor `encode` made, or None for anything else."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at, source, entry_id = raw.split("|")
            cursor = cls(datetime.fromisoformat(at), source, int(entry_id))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return cursor if cursor.at.tzinfo is not None else None
