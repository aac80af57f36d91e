"""The clocks' commands: fire a due clock (the scheduler) and complete a task (the coordinator).

Each runs inside its caller's transaction and queues the events it causes in the outbox, so the
effect and its events commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import (
    FollowUpCompleted,
    FollowUpDue,
    GateAlertRaised,
    PositiveScreenEscalated,
    SlaBreached,
    UrgentAcknowledgementOverdue,
)
from contracts.codes import TaskKind
from services.followup.clocks.adapters import screens, store, tasks
from services.followup.clocks.domain.errors import (
    ScreenTaskNotCompletable,
    TaskAlreadyClosed,
    TaskNotFound,
)
from services.followup.clocks.domain.rules import ClockKind, Effects, Track, on_fire
from services.followup.clocks.domain.screens import escalation_on_fire
from services.followup.clocks.domain.tasks import CompleteTask, follow_up_kind
from warmlink.db import Connection
from warmlink.outbox import publish_later

PRODUCER = "followup"


async def fire_clock(conn: Connection, clock: Any, now: datetime) -> None:
    """Apply what a due clock (a DUE_CLOCKS row) causes and mark it fired."""
    if clock["screening_id"] is not None:
        note = await _fire_screen_clock(conn, clock, now)
        await conn.execute(store.MARK_FIRED, clock["id"], now, note)
        return
    referral_id: UUID = clock["referral_id"]
    track = await store.track(conn, referral_id)
    assert track is not None  # clocks reference their track
    kind = ClockKind(clock["kind"])
    effects = on_fire(
        kind,
        clock["practice_id"],
        clock["due_at"],
        track,
        await store.open_task_kinds(conn, referral_id),
    )
    await _apply(conn, clock, track, effects, now)
    await conn.execute(store.MARK_FIRED, clock["id"], now, effects.note)


async def _fire_screen_clock(conn: Connection, clock: Any, now: datetime) -> str:
    """A screen still open at its deadline: a task for its level's coordinator, and the event."""
    track = await screens.track(conn, clock["screening_id"])
    level = escalation_on_fire(ClockKind(clock["kind"]), track)
    if level is None:
        return f"screen {track.status}"
    source = f"clock:{clock['id']}"
    task_id = await screens.open_task(conn, track, level.value, now, clock["due_at"], source)
    if task_id is not None:
        event = PositiveScreenEscalated(
            screening_id=clock["screening_id"],
            site_id=track.site_id,
            level=level,
            task_id=task_id,
            urgent=track.urgent,
            safety_assessed=track.safety_outcome is not None,
            due_at=clock["fire_at"],
            escalated_at=now,
        )
        await publish_later(conn, event, producer=PRODUCER)
    return f"escalated to the {level.value.replace('_', ' ')}"


async def _apply(
    conn: Connection, clock: Any, track: Track, effects: Effects, now: datetime
) -> None:
    common = {
        "referral_id": UUID(track.referral_id),
        "site_id": track.site_id,
        "practice_id": track.practice_id,
    }
    if effects.breach is not None:
        await store.record_breach(conn, track, effects.breach.value, clock["due_at"], now)
        breach = SlaBreached(
            **common,
            kind=effects.breach,
            due_at=clock["due_at"],
            detected_at=now,
            urgent=track.urgent,
        )
        await publish_later(conn, breach, producer=PRODUCER)
    if effects.gate_missing and track.gate is not None:
        alert = GateAlertRaised(
            **common,
            gate=track.gate,
            gate_at=clock["due_at"],
            missing=effects.gate_missing,
            raised_at=now,
            urgent=track.urgent,
        )
        await publish_later(conn, alert, producer=PRODUCER)
    if effects.urgent_unacknowledged:
        early = UrgentAcknowledgementOverdue(**common, alert_at=clock["due_at"], detected_at=now)
        await publish_later(conn, early, producer=PRODUCER)
    if effects.task is not None:
        due_at = effects.task_due_at or now
        source = f"clock:{clock['id']}"
        task_id = await store.open_task(conn, track, effects.task, now, due_at, source)
        if task_id is not None and effects.announce_follow_up:
            await announce(conn, track, task_id, TaskKind(effects.task), now, due_at)


async def announce(
    conn: Connection,
    track: Track,
    task_id: UUID,
    kind: TaskKind,
    opens_at: datetime,
    due_at: datetime,
) -> None:
    """FollowUpDue for a new coordinator task (scheduling and next-visit checks)."""
    event = FollowUpDue(
        referral_id=UUID(track.referral_id),
        site_id=track.site_id,
        practice_id=track.practice_id,
        follow_up_id=task_id,
        kind=follow_up_kind(kind),
        window_opens_at=opens_at,
        due_at=due_at,
        urgent=track.urgent,
    )
    await publish_later(conn, event, producer=PRODUCER)


async def complete_task(
    conn: Connection, command: CompleteTask, site_id: str, by: str, now: datetime
) -> Any:
    """Record the follow-up's outcome (FollowUpCompleted); the task's row as it now is.

    Repeating the outcome a task was completed with is a no-op; another outcome is a conflict.
    """
    barrier = command.barrier.value if command.barrier else None
    row = await tasks.complete(
        conn,
        command.task_id,
        site_id,
        now,
        command.outcome.value,
        barrier,
        command.re_engaged,
        by,
        command.tried_codes,
    )
    if row is None:
        return _already_closed(await tasks.one(conn, command.task_id, site_id), command)
    kind = TaskKind(row["kind"])
    event = FollowUpCompleted(
        referral_id=row["referral_id"],
        site_id=row["site_id"],
        practice_id=row["practice_id"],
        follow_up_id=row["id"],
        kind=follow_up_kind(kind),
        outcome=command.outcome,
        barrier=command.barrier,
        re_engaged=command.re_engaged,
        completed_at=now,
        task=kind,
    )
    await publish_later(conn, event, producer=PRODUCER)
    return row


def _already_closed(row: Any, command: CompleteTask) -> Any:
    if row is None:
        raise TaskNotFound()
    if row["screening_id"] is not None:
        raise ScreenTaskNotCompletable(row["status"])
    same = (
        row["status"] == "completed"
        and row["outcome"] == command.outcome.value
        and row["barrier"] == (command.barrier.value if command.barrier else None)
        and row["re_engaged"] == command.re_engaged
        and sorted(row["tried"]) == command.tried_codes
    )
    if same:
        return row
    raise TaskAlreadyClosed(row["status"], row["closed_by"])
