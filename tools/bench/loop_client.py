"""A lean keep-alive HTTP/1.1 client for the benchmarks' scripted requests (JSON bodies).

On two shared cores httpx cost the benchmark more CPU per request than it leaves the system under
test; like loadgen.py, this writes the request and reads the status line, the headers and a
Content-Length body, nothing else. Idle connections are dropped well before uvicorn's 5 s
keep-alive timeout, so a connection the server is closing is never reused.
"""

from __future__ import annotations

import asyncio
import time

IDLE_S = 2.0
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 message: its head (start line and headers) and its Content-Length body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


class LoopClient:
    def __init__(self, port: int) -> None:
        self.port = port
        self._idle: list[tuple[float, Connection]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST `body` as JSON; returns the status and the answer's body."""
        return await self.send("POST", path, body, headers)

    async def send(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """`method` with `body` as JSON; returns the status and the answer's body."""
        reader, writer = self._take() or await asyncio.open_connection("127.0.0.1", self.port)
        fields = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            writer.write(head.encode() + body)
            answer, data = await read_message(reader)
        except BaseException:
            writer.close()
            raise
        self._idle.append((time.monotonic(), (reader, writer)))
        return int(answer[9:12]), data

    def _take(self) -> Connection | None:
        while self._idle:
            since, (reader, writer) = self._idle.pop()
            if time.monotonic() - since < IDLE_S and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    def close(self) -> None:
        for _, (_, writer) in self._idle:
            writer.close()
        self._idle.clear()
