"""A small known November: four referrals, their steps and one breach (times in UTC).

America/Chicago is UTC-6 in November, so every time below is the same calendar day there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from services.followup.measures.domain.facts import Breach, Step, StepKind, Submission

TZ = ZoneInfo("America/Chicago")
R1, R2, R3, R4 = (UUID(int=n) for n in (1, 2, 3, 4))
S1, S2 = UUID(int=101), UUID(int=102)
BLOOM, NORTHSIDE = "bloom-therapy", "northside-cmhc"
RIVERSIDE, ST_MARY = "riverside-ob", "st-mary-ld"


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def submission(
    rid: UUID,
    site: str,
    practice: str,
    setting: str,
    method: str,
    urgency: str,
    when: datetime,
    screening: UUID | None = None,
) -> Submission:
    return Submission(
        referral_id=rid,
        site_id=site,
        practice_id=practice,
        service_id=f"{practice}-outpatient",
        screening_id=screening,
        setting=setting,
        method=method,
        urgency=urgency,
        level_of_care="outpatient_therapy",
        submitted_at=when,
    )


SUBMISSIONS = [
    submission(R1, RIVERSIDE, BLOOM, "ob", "digital", "routine", at(11, 2, 15), S1),
    submission(R2, RIVERSIDE, BLOOM, "ob", "in_room_call", "urgent", at(11, 3, 15), S2),
    submission(R3, ST_MARY, NORTHSIDE, "hospital", "coordinator", "routine", at(11, 4, 15)),
    submission(R4, ST_MARY, BLOOM, "hospital", "digital", "routine", at(11, 10, 15)),
]

STEPS = [
    # R1: acknowledged after 4 h; first appointment 4 days after referral, attended.
    Step(R1, StepKind.ACKNOWLEDGED, BLOOM, at(11, 2, 19)),
    Step(R1, StepKind.SCHEDULED, BLOOM, at(11, 3, 15), UUID(int=11), at(11, 6, 15)),
    Step(R1, StepKind.ATTENDED, BLOOM, at(11, 6, 17), UUID(int=11), at(11, 6, 15)),
    # R2: acknowledged after 1 h; first appointment (2 days) missed; re-booked at 7 days, attended.
    Step(R2, StepKind.ACKNOWLEDGED, BLOOM, at(11, 3, 16)),
    Step(R2, StepKind.SCHEDULED, BLOOM, at(11, 3, 17), UUID(int=21), at(11, 5, 15)),
    Step(R2, StepKind.MISSED, BLOOM, at(11, 5, 18), UUID(int=21), at(11, 5, 15)),
    Step(R2, StepKind.SCHEDULED, BLOOM, at(11, 6, 15), UUID(int=22), at(11, 10, 15)),
    Step(R2, StepKind.ATTENDED, BLOOM, at(11, 10, 16), UUID(int=22), at(11, 10, 15)),
    # R3: declined by northside (no capacity), redirected to bloom, acknowledged 8 h later.
    Step(R3, StepKind.DECLINED, NORTHSIDE, at(11, 4, 21), reason="no_capacity"),
    Step(R3, StepKind.REDIRECTED, BLOOM, at(11, 5, 15), reason="declined"),
    Step(R3, StepKind.ACKNOWLEDGED, BLOOM, at(11, 5, 23)),
    # R4: declined by bloom, not a clinical fit; nothing else.
    Step(R4, StepKind.DECLINED, BLOOM, at(11, 11, 15), reason="not_clinical_fit"),
]

BREACHES = [Breach(R3, "ack_overdue", ST_MARY, NORTHSIDE, at(11, 5, 14), urgent=False)]
