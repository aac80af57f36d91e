"""The follow-up service in-process, on the real broker and database, with a clock tests can set."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from contracts import Envelope, EventPayload, PracticeRegistered, ReferralSubmitted
from contracts.codes import Setting, Urgency
from contracts.events.directory import IntakeWindow, PracticeService
from services.followup.bootstrap import spec
from services.followup.clocks.adapters.context import ClockContext
from services.followup.clocks.workers.clock_scheduler import ClockScheduler
from services.followup.settings import FollowupSettings
from tests.e2e import directory_support
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.outbox import publish_later
from warmlink.service import Runtime, start_runtime


@dataclass
class TravelClock:
    """The injectable clock: tests set it to the instant they want to look at."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def settings_for(infra: Infrastructure, database_url: str) -> FollowupSettings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "kafka_bootstrap_servers": infra.kafka_bootstrap,
        "kafka_profile": infra.kafka_profile,
        "kafka_topic_prefix": f"t{uuid.uuid4().hex[:8]}.",
        "outbox_poll_interval_s": 0.1,
        "scheduler_enabled": False,  # the tests tick the scheduler themselves
    }
    return FollowupSettings(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def followup(settings: FollowupSettings) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(spec(settings))
    try:
        yield runtime
    finally:
        await runtime.stop()


def scheduler(runtime: Runtime, clock: TravelClock) -> ClockScheduler:
    settings: FollowupSettings = runtime.settings  # type: ignore[assignment]
    return ClockScheduler(runtime.pool, ClockContext.from_settings(settings, clock))


async def publish(runtime: Runtime, event: EventPayload, producer: str) -> Envelope:
    """Put an upstream event on the broker through this runtime's outbox and relay."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        return await publish_later(conn, event, producer=producer)


def practice(practice_id: str, zone: str, hours: tuple[IntakeWindow, ...]) -> PracticeRegistered:
    return PracticeRegistered(
        practice_id=practice_id,
        kind="private_practice",
        time_zone=zone,
        accepting_referrals=True,
        pmh_c_certified=True,
        funding=("medicaid",),
        services=(
            PracticeService(
                service_id=f"{practice_id}-therapy",
                level_of_care="outpatient_therapy",
                modalities=("in_person",),
                serves_pregnant=True,
                postpartum_months=12,
                infant_welcome=True,
                intake_hours=hours,
            ),
        ),
        updated_at=datetime.now(UTC),
    )


def submitted(
    practice_id: str,
    at: datetime,
    *,
    setting: str = "ob",
    urgent: bool = False,
    needed_by: datetime | None = None,
) -> ReferralSubmitted:
    return directory_support.submitted(practice_id, f"{practice_id}-therapy").model_copy(
        update={
            # model_copy does not validate: enums, as validation would have made them.
            "setting": Setting(setting),
            "urgency": Urgency.URGENT if urgent else Urgency.ROUTINE,
            "submitted_at": at,
            "acknowledge_by": at + timedelta(days=1),
            "appointment_needed_by": needed_by,
        }
    )


async def armed(pool: asyncpg.Pool, referral_id: UUID, count: int) -> dict[str, datetime]:
    """Wait until the consumer armed ``count`` clocks for the referral; kind -> fire_at."""
    rows = await eventually(
        lambda: pool.fetch("SELECT kind, fire_at FROM clocks WHERE referral_id = $1", referral_id),
        until=lambda rows: len(rows) >= count,
        what=f"{count} clocks armed",
    )
    return {r["kind"]: r["fire_at"] for r in rows}


async def events_of(pool: asyncpg.Pool, event_type: str, referral_id: UUID) -> int:
    """Events of this type the follow-up service put in its outbox for the referral."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = $1 AND key = $2",
            event_type,
            str(referral_id),
        )
    )
