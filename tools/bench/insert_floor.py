"""The floor for bench-loop: a bare FastAPI endpoint doing one INSERT, nothing else.

Run as `python -m tools.bench.insert_floor PORT DSN`; same server stack as the services
(uvicorn, uvloop, httptools, asyncpg pool of the services' default size), no auth, no outbox, no
audit. One process per referral replica in bench-loop, each with a port of its own.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from fastapi import FastAPI, Request

CREATE = "CREATE TABLE IF NOT EXISTS floor_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL)"
INSERT = "INSERT INTO floor_rows (body) VALUES ($1::jsonb) RETURNING id"


def build(dsn: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/insert", status_code=201)
    async def insert(request: Request) -> dict[str, int]:
        row_id = await request.app.state.pool.fetchval(INSERT, (await request.body()).decode())
        return {"id": int(row_id)}

    return app


async def create_table(dsn: str) -> None:
    """Before serving; bench-loop starts the floor processes one after another, because
    concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL's catalog."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(CREATE)
    finally:
        await conn.close()


if __name__ == "__main__":
    port, dsn = int(sys.argv[1]), sys.argv[2]
    asyncio.run(create_table(dsn))
    uvicorn.run(
        build(dsn),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )
