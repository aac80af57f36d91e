"""Our ids by their published HSDS UUIDs. The UUIDs are one-way (``ids.hsds_id``), so finding
``/services/{id}`` means hashing our ids; each is hashed once per process and remembered.

An id not yet remembered costs one read of every id of that kind, hashing only those not seen
before (a directory of 10,000 services took 0.6 s to hash in full on a busy 2-core machine). A
remembered id whose record has since gone is the caller's 404: it reads the record anyway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.directory.hsds.domain.ids import hsds_id


class PublishedIds:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._ours: dict[str, str] = {}

    def learn(self, our_ids: list[str]) -> None:
        seen = set(self._ours.values())
        self._ours |= {hsds_id(self.kind, our): our for our in our_ids if our not in seen}

    async def find(
        self, published: str, every_id: Callable[[], Awaitable[list[str]]]
    ) -> str | None:
        """Our id of the record published as ``published``, or None if there is none."""
        if published not in self._ours:
            self.learn(await every_id())
        return self._ours.get(published)
