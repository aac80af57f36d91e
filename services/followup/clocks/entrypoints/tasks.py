"""The coordinator's work: tasks due today, and recording what was found.

A site's coordinator (role clinic) sees her own site's tasks; the network's coordinator (role
admin) sees the positive screens escalated to the network, from every site.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from contracts.codes import (
    EscalationLevel,
    FollowUpBarrier,
    FollowUpOutcome,
    ReEngagementStep,
    TaskKind,
)
from services.followup.clocks.adapters import tasks
from services.followup.clocks.domain.errors import TaskNotFound
from services.followup.clocks.domain.screens import WHAT_TO_DO as SCREEN_WHAT_TO_DO
from services.followup.clocks.domain.tasks import CompleteTask, what_to_do
from services.followup.clocks.service_layer import commands
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(tags=["tasks"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
CoordinatorDep = Annotated[Caller, require_role(Role.CLINIC, Role.ADMIN)]


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: FollowUpOutcome
    barrier: FollowUpBarrier | None = None
    re_engaged: bool = False
    tried: list[ReEngagementStep] = []

    def command(self, task_id: UUID) -> CompleteTask:
        return CompleteTask(task_id, self.outcome, self.barrier, self.re_engaged, tuple(self.tried))


def _what_to_do(row: Any) -> str:
    if row["screening_id"] is not None:
        return SCREEN_WHAT_TO_DO[EscalationLevel(row["assignee"])]
    return what_to_do(TaskKind(row["kind"]))


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def task_view(row: Any, now: datetime) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "referral_id": _str(row["referral_id"]),
        "screening_id": _str(row["screening_id"]),
        "site_id": row["site_id"],
        "assignee": row["assignee"],
        "practice_id": row["practice_id"],
        "kind": row["kind"],
        "what_to_do": _what_to_do(row),
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
        "tried": list(row["tried"]),
    }


@router.get("/v1/tasks")
async def list_tasks(
    conn: ConnectionDep,
    caller: CoordinatorDep,
    status: Literal["open", "completed", "resolved", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The site's tasks (the network's, for an admin): open first, urgent first, then earliest
    due (so overdue on top)."""
    wanted = None if status == "all" else status
    if caller.role is Role.ADMIN:
        rows = await tasks.for_network(conn, wanted, limit)
    else:
        rows = await tasks.for_site(conn, caller.organization_id, wanted, limit)
    now = datetime.now(UTC)
    items = [task_view(r, now) for r in rows]
    return {
        "site_id": caller.organization_id,
        "overdue": sum(1 for item in items if item["overdue"]),
        "items": items,
    }


@router.get("/v1/tasks/{task_id}")
async def get_task(task_id: UUID, conn: ConnectionDep, caller: CoordinatorDep) -> dict[str, Any]:
    if caller.role is Role.ADMIN:
        row = await tasks.network_one(conn, task_id)
    else:
        row = await tasks.one(conn, task_id, caller.organization_id)
    if row is None:
        raise TaskNotFound()
    return task_view(row, datetime.now(UTC))


@router.post("/v1/tasks/{task_id}/complete")
async def complete_task(
    task_id: UUID, body: CompleteIn, conn: ConnectionDep, caller: ClinicDep
) -> dict[str, Any]:
    """Record the follow-up's outcome (FollowUpCompleted). Repeating the same outcome is a no-op."""
    command = body.command(task_id)
    now = datetime.now(UTC)
    async with conn.transaction():
        row = await commands.complete_task(
            conn, command, caller.organization_id, caller.subject, now
        )
    return task_view(row, now)
