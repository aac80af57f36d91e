"""The coordinator's work (role clinic, own site): tasks due today, and recording what was found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from contracts import FollowUpCompleted
from contracts.codes import FollowUpBarrier, FollowUpKind, FollowUpOutcome, TaskKind
from services.followup.clocks.adapters import tasks
from services.followup.clocks.domain.tasks import what_to_do
from services.followup.clocks.service_layer.commands import PRODUCER
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.outbox import publish_later
from warmlink.problems import Conflict, InvalidInput, NotFound

router = APIRouter(tags=["tasks"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
# Outcomes that mean care happened: no barrier to record.
_CARE_HAPPENED = {FollowUpOutcome.SCHEDULED, FollowUpOutcome.ATTENDED}


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: FollowUpOutcome
    barrier: FollowUpBarrier | None = None
    re_engaged: bool = False

    def check(self) -> None:
        if self.outcome not in _CARE_HAPPENED and self.barrier is None:
            raise InvalidInput.at("/barrier", "needed when the patient was not scheduled or seen")
        if self.outcome in _CARE_HAPPENED and self.barrier is not None:
            raise InvalidInput.at("/barrier", "applies only when care did not happen")


def task_view(row: Any, now: datetime) -> dict[str, Any]:
    kind = TaskKind(row["kind"])
    return {
        "id": str(row["id"]),
        "referral_id": str(row["referral_id"]),
        "practice_id": row["practice_id"],
        "kind": kind.value,
        "what_to_do": what_to_do(kind),
        "urgent": row["urgent"],
        "status": row["status"],
        "opened_at": row["opened_at"].isoformat(),
        "due_at": row["due_at"].isoformat(),
        "overdue": row["status"] == "open" and row["due_at"] < now,
        "closed_at": row["closed_at"].isoformat() if row["closed_at"] else None,
        "closed_by": row["closed_by"],
        "outcome": row["outcome"],
        "barrier": row["barrier"],
        "re_engaged": row["re_engaged"],
    }


@router.get("/v1/tasks")
async def list_tasks(
    conn: ConnectionDep,
    caller: ClinicDep,
    status: Literal["open", "completed", "resolved", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The site's tasks: open first, urgent first, then earliest due (so overdue on top)."""
    rows = await tasks.for_site(
        conn, caller.organization_id, None if status == "all" else status, limit
    )
    now = datetime.now(UTC)
    items = [task_view(r, now) for r in rows]
    return {
        "site_id": caller.organization_id,
        "overdue": sum(1 for item in items if item["overdue"]),
        "items": items,
    }


@router.get("/v1/tasks/{task_id}")
async def get_task(task_id: UUID, conn: ConnectionDep, caller: ClinicDep) -> dict[str, Any]:
    row = await tasks.one(conn, task_id, caller.organization_id)
    if row is None:
        raise NotFound("No such task for your site.")
    return task_view(row, datetime.now(UTC))


@router.post("/v1/tasks/{task_id}/complete")
async def complete_task(
    task_id: UUID, body: CompleteIn, conn: ConnectionDep, caller: ClinicDep
) -> dict[str, Any]:
    """Record the follow-up's outcome (FollowUpCompleted). Repeating the same outcome is a no-op."""
    body.check()
    now = datetime.now(UTC)
    async with conn.transaction():
        row = await tasks.complete(
            conn,
            task_id,
            caller.organization_id,
            now,
            body.outcome.value,
            body.barrier.value if body.barrier else None,
            body.re_engaged,
            caller.subject,
        )
        if row is None:
            return _already_closed(await tasks.one(conn, task_id, caller.organization_id), body)
        kind = TaskKind(row["kind"])
        event = FollowUpCompleted(
            referral_id=row["referral_id"],
            site_id=row["site_id"],
            practice_id=row["practice_id"],
            follow_up_id=row["id"],
            kind=(
                FollowUpKind.NEXT_VISIT_CHECK
                if kind is TaskKind.NEXT_VISIT_CHECK
                else FollowUpKind.SCHEDULING_CHECK
            ),
            outcome=body.outcome,
            barrier=body.barrier,
            re_engaged=body.re_engaged,
            completed_at=now,
            task=kind,
        )
        await publish_later(conn, event, producer=PRODUCER)
    return task_view(row, now)


def _already_closed(row: Any, body: CompleteIn) -> dict[str, Any]:
    if row is None:
        raise NotFound("No such task for your site.")
    same = (
        row["status"] == "completed"
        and row["outcome"] == body.outcome.value
        and row["barrier"] == (body.barrier.value if body.barrier else None)
        and row["re_engaged"] == body.re_engaged
    )
    if same:
        return task_view(row, datetime.now(UTC))
    raise Conflict(
        f"The task is already {row['status']} ({row['closed_by']}).", current_status=row["status"]
    )
