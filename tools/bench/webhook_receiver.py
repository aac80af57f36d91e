"""A minimal webhook receiver for bench-loop: records when each status arrived, answers 204."""

from __future__ import annotations

import asyncio
import time

import orjson

from tools.bench.loop_client import read_message


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[tuple[str, str], float] = {}
        self.count = 0
        self._server: asyncio.AbstractServer | None = None
        self._waiters: dict[tuple[str, str], asyncio.Future[float]] = {}

    async def start(self, port: int) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                _, body = await read_message(reader)
                arrived = time.perf_counter()
                self.count += 1
                try:
                    data = orjson.loads(body)
                    key = (str(data.get("referral_id")), str(data.get("status")))
                    self.arrivals.setdefault(key, arrived)
                    waiter = self._waiters.pop(key, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(arrived)
                except orjson.JSONDecodeError:
                    pass
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        # Cancelled: the run is over and the loop is closing; the connection just ends.
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def arrival(self, key: tuple[str, str], within_s: float) -> float | None:
        """When the notification for `key` arrived (waiting up to `within_s`), or None."""
        if key in self.arrivals:
            return self.arrivals[key]
        waiter = self._waiters.setdefault(key, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), within_s)
        except TimeoutError:
            return None
