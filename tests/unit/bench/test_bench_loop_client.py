"""bench-loop's lean HTTP client against a real local HTTP/1.1 server: keep-alive reuse, the
answer's status and body, and idle connections dropped before the server's keep-alive timeout."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tools.bench import loop_client
from tools.bench.loop_client import LoopClient, read_message


class JsonEcho:
    """Answers each POST with 201 and the request's body; counts connections."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0

    async def start(self) -> asyncio.AbstractServer:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                _, body = await read_message(reader)
                head = b"HTTP/1.1 201 Created\r\ncontent-length: %d\r\n\r\n" % len(body)
                writer.write(head + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


async def test_posts_share_one_connection_and_return_status_and_body() -> None:
    echo = JsonEcho()
    server = await echo.start()
    client = LoopClient(echo.port)
    try:
        answers = [
            await client.post("/x", orjson.dumps({"n": n}), {"Authorization": "Bearer t"})
            for n in range(3)
        ]
    finally:
        client.close()
        server.close()
    assert answers == [(201, orjson.dumps({"n": n})) for n in range(3)]
    assert echo.connections == 1


async def test_an_idle_connection_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop_client, "IDLE_S", 0.05)
    echo = JsonEcho()
    server = await echo.start()
    client = LoopClient(echo.port)
    try:
        await client.post("/x", b"{}", {})
        await asyncio.sleep(0.1)
        assert (await client.post("/x", b"", {}))[0] == 201
    finally:
        client.close()
        server.close()
    assert echo.connections == 2
