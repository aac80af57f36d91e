"""Referral handlers. Event handlers run inside the consumer's transaction (effect + inbox row)."""

from __future__ import annotations

from contracts import Envelope, ScreenPositive
from services.referral.adapters import worklist_repository
from services.referral.domain.worklist import WorklistItem
from warmlink.db import Connection


async def on_screen_positive(conn: Connection, envelope: Envelope, event: ScreenPositive) -> None:
    """A positive screen puts the patient on her site's worklist for a warm handoff."""
    await worklist_repository.add(conn, WorklistItem.from_screen(event))
