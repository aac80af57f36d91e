"""The floor for bench-loop: a bare FastAPI endpoint doing one INSERT, nothing else.

Run as `python -m warmlink.bench.insert_floor PORT DSN`; same server stack as the services
(uvicorn, uvloop, httptools, one worker, asyncpg pool), no auth, no outbox, no audit.
"""

from __future__ import annotations

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
        await app.state.pool.execute(CREATE)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/insert", status_code=201)
    async def insert(request: Request) -> dict[str, int]:
        row_id = await request.app.state.pool.fetchval(INSERT, (await request.body()).decode())
        return {"id": int(row_id)}

    return app


if __name__ == "__main__":
    port, dsn = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(
        build(dsn),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )
