"""Reads of the read model for one scope and period, returned as domain facts.

Scope is applied in SQL as far as it narrows the rows read (a site's referrals, the referrals a
practice owned at some step); the domain applies the exact rule (`Scope`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from services.followup.measures.domain.facts import (
    Breach,
    FollowUp,
    Listing,
    Screen,
    Step,
    StepKind,
    Submission,
)
from services.followup.measures.domain.grouping import Scope, ScopeKind
from services.followup.measures.domain.journey import Journey, fold_all
from services.followup.measures.domain.report import Facts
from warmlink.db import Connection
from warmlink.rows import from_row

_REFERRAL_COLUMNS = """referral_id, site_id, practice_id, service_id, screening_id, setting,
       method, urgency, level_of_care, submitted_at, barriers"""

COHORT_REFERRALS = f"""
SELECT {_REFERRAL_COLUMNS}
  FROM measure_referrals r
 WHERE r.submitted_at >= $1 AND r.submitted_at < $2
   AND ($3::text IS NULL OR r.site_id = $3)
   AND ($4::text IS NULL OR r.practice_id = $4 OR EXISTS (
        SELECT 1 FROM measure_referral_steps s
         WHERE s.referral_id = r.referral_id AND s.practice_id = $4))"""

REFERRALS_FOR_SCREENS = f"""
SELECT {_REFERRAL_COLUMNS} FROM measure_referrals WHERE screening_id = ANY($1::uuid[])"""

STEPS_OF = """
SELECT referral_id, kind, practice_id, at, appointment_id, appointment_at, reason
  FROM measure_referral_steps WHERE referral_id = ANY($1::uuid[])"""

BREACHES_OF = """
SELECT referral_id, kind, site_id, practice_id, detected_at, urgent
  FROM measure_sla_breaches WHERE referral_id = ANY($1::uuid[])"""

BREACHES_DETECTED = """
SELECT referral_id, kind, site_id, practice_id, detected_at, urgent
  FROM measure_sla_breaches
 WHERE detected_at >= $1 AND detected_at < $2
   AND ($3::text IS NULL OR site_id = $3) AND ($4::text IS NULL OR practice_id = $4)
 ORDER BY detected_at"""

FOLLOW_UPS_OF = """
SELECT referral_id, outcome, completed_at FROM measure_follow_ups
 WHERE referral_id = ANY($1::uuid[])"""

SCREENS_IN = """
SELECT screening_id, site_id, setting, screened_at, patient_ref FROM positive_screens
 WHERE screened_at >= $1 AND screened_at < $2 AND ($3::text IS NULL OR site_id = $3)"""

# Every positive screen of the patients screened positive in the period, whenever screened: a
# referral answering any of them is her follow-up (the measure counts patients, not screens).
SCREENS_OF_PATIENTS = """
SELECT screening_id, site_id, setting, screened_at, patient_ref FROM positive_screens
 WHERE (site_id, patient_ref) IN (
       SELECT site_id, patient_ref FROM positive_screens
        WHERE screened_at >= $1 AND screened_at < $2 AND ($3::text IS NULL OR site_id = $3)
          AND patient_ref IS NOT NULL)"""

# Services from profiles and capacity from its own events, whichever arrived: either may be
# missing (a profile with no capacity reported yet, capacity ahead of its profile).
LISTINGS = """
SELECT COALESCE(s.practice_id, c.practice_id) AS practice_id,
       COALESCE(s.service_id, c.service_id) AS service_id,
       s.level_of_care, s.area, COALESCE(p.accepting_referrals, true) AS practice_accepting,
       c.available, c.maximum, c.next_available_intake,
       COALESCE(c.accepting_new_patients, false) AS accepting_new_patients,
       c.verified_at, COALESCE(c.stale, false) AS stale
  FROM measure_services s
  FULL JOIN measure_capacity c USING (practice_id, service_id)
  LEFT JOIN measure_practices p ON p.practice_id = COALESCE(s.practice_id, c.practice_id)"""


def _filters(scope: Scope) -> tuple[str | None, str | None]:
    site = scope.organization_id if scope.kind is ScopeKind.SITE else None
    practice = scope.organization_id if scope.kind is ScopeKind.PRACTICE else None
    return site, practice


async def _journeys(conn: Connection, rows: Sequence[asyncpg.Record]) -> list[Journey]:
    ids = [r["referral_id"] for r in rows]
    steps = await conn.fetch(STEPS_OF, ids) if ids else []
    return fold_all(
        [from_row(Submission, r, barriers=tuple(r["barriers"])) for r in rows],
        [from_row(Step, s, kind=StepKind(s["kind"])) for s in steps],
    )


async def load_facts(conn: Connection, scope: Scope, start: datetime, end: datetime) -> Facts:
    """Everything the measures of [start, end) need, in one read-only snapshot."""
    site, practice = _filters(scope)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        journeys = await _journeys(
            conn, await conn.fetch(COHORT_REFERRALS, start, end, site, practice)
        )
        ids = [j.referral_id for j in journeys]
        breaches = [from_row(Breach, r) for r in await conn.fetch(BREACHES_OF, ids)] if ids else []
        screens: list[Screen] = []
        patient_screens: list[Screen] = []
        if scope.kind is not ScopeKind.PRACTICE:
            screens = [from_row(Screen, r) for r in await conn.fetch(SCREENS_IN, start, end, site)]
            rows = await conn.fetch(SCREENS_OF_PATIENTS, start, end, site) if screens else []
            patient_screens = [from_row(Screen, r) for r in rows]
        screen_ids = list({s.screening_id for s in (*screens, *patient_screens)})
        screen_journeys = (
            await _journeys(conn, await conn.fetch(REFERRALS_FOR_SCREENS, screen_ids))
            if screen_ids
            else []
        )
        linked = [j.referral_id for j in screen_journeys]
        follow_ups = (
            [from_row(FollowUp, r) for r in await conn.fetch(FOLLOW_UPS_OF, linked)]
            if linked
            else []
        )
    return Facts(journeys, breaches, screens, screen_journeys, follow_ups, patient_screens)


async def breaches_detected(
    conn: Connection, scope: Scope, start: datetime, end: datetime
) -> list[Breach]:
    site, practice = _filters(scope)
    rows = await conn.fetch(BREACHES_DETECTED, start, end, site, practice)
    return [from_row(Breach, r) for r in rows]


async def listings(conn: Connection) -> list[Listing]:
    return [from_row(Listing, r) for r in await conn.fetch(LISTINGS)]
