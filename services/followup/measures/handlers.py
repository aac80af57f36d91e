"""Follow-up event handlers (inside the consumer's transaction)."""

from __future__ import annotations

from contracts import Envelope, ScreenPositive
from warmlink.db import Connection

RECORD_SCREEN = """
INSERT INTO positive_screens (screening_id, site_id, instrument, band, urgent, setting, screened_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (screening_id) DO NOTHING"""


async def on_screen_positive(conn: Connection, envelope: Envelope, event: ScreenPositive) -> None:
    """Start the 30-day follow-up measure for this positive screen."""
    await conn.execute(
        RECORD_SCREEN,
        event.screening_id,
        event.site_id,
        event.instrument,
        event.band,
        event.urgent,
        event.setting,
        event.screened_at,
    )
