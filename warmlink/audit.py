"""The audit trail: who read or wrote which patient record, for what purpose, when.

Written in the same transaction as the read or write it describes, so the trail cannot miss one.
"""

from __future__ import annotations

from typing import Literal

from warmlink.auth import Caller
from warmlink.db import Executor

APPEND = """
INSERT INTO audit_log (actor, organization_id, role, action, purpose, record_type, record_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)"""


async def audit(
    conn: Executor,
    caller: Caller,
    action: Literal["read", "write"],
    record_type: str,
    record_id: str,
    purpose: str = "treatment",
) -> None:
    await conn.execute(
        APPEND,
        caller.subject,
        caller.organization_id,
        str(caller.role),
        action,
        purpose,
        record_type,
        record_id,
    )
