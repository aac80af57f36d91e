"""PostgreSQL for the invariant: each referral and positive screen with what watches it.

The queries only count; the rule itself is ``domain/invariant.py``. They pre-filter with the
domain's own terminal states, so a network of settled referrals reads few rows.
"""

from __future__ import annotations

from services.followup.clocks.domain.invariant import REFERRAL_TERMINAL, ReferralRow, ScreenRow
from warmlink.db import Connection
from warmlink.rows import from_row

REFERRALS = """
SELECT t.referral_id, t.site_id, t.status, t.urgent,
    (SELECT count(*) FROM clocks c
     WHERE c.referral_id = t.referral_id AND c.fired_at IS NULL) AS live_clocks,
    (SELECT count(*) FROM tasks k
     WHERE k.referral_id = t.referral_id AND k.status = 'open') AS open_tasks,
    EXISTS (SELECT 1 FROM tasks k
            WHERE k.referral_id = t.referral_id AND k.status = 'completed'
              AND k.closed_at >= t.updated_at) AS outcome_recorded
FROM referral_tracks t
WHERE t.status <> ALL($1::text[])"""

# Open screens, and urgent ones with no safety assessment whatever their status (but a screen
# taken before tracking began, which the network never asked to be assessed here).
SCREENS = """
SELECT s.screening_id, s.site_id, s.status, s.urgent,
    s.safety_outcome IS NOT NULL AS safety_assessed,
    (SELECT count(*) FROM clocks c
     WHERE c.screening_id = s.screening_id AND c.fired_at IS NULL) AS live_clocks,
    (SELECT count(*) FROM tasks k
     WHERE k.screening_id = s.screening_id AND k.status = 'open') AS open_tasks,
    (SELECT min(c.fire_at) FROM clocks c
     WHERE c.screening_id = s.screening_id AND c.kind = 'screen_site_escalation') AS deadline
FROM screen_tracks s
WHERE s.status = 'open'
    OR (s.urgent AND s.safety_outcome IS NULL AND s.status <> 'before_tracking')"""


async def referrals(conn: Connection) -> list[ReferralRow]:
    rows = await conn.fetch(REFERRALS, sorted(REFERRAL_TERMINAL))
    return [from_row(ReferralRow, r, referral_id=str(r["referral_id"])) for r in rows]


async def screens(conn: Connection) -> list[ScreenRow]:
    rows = await conn.fetch(SCREENS)
    return [from_row(ScreenRow, r, screening_id=str(r["screening_id"])) for r in rows]
