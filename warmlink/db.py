"""Database types and the per-request connection dependency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, TypeAlias

import asyncpg
from fastapi import Depends, Request

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # A pooled connection is a proxy with the same interface as a plain one.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection


async def _connection(request: Request) -> AsyncIterator[Connection]:
    async with request.app.state.runtime.pool.acquire() as conn:
        yield conn


ConnectionDep = Annotated[Connection, Depends(_connection)]
