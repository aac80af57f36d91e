"""Keeps the match index in step with the database: applies change notifications in small
batches and reloads everything now and then (``adapters/match_index`` says how)."""

from __future__ import annotations

from services.directory.adapters.match_index import MatchIndex


async def run(index: MatchIndex) -> None:
    async with index.following():
        while True:
            pending = await index.next_changes()
            if pending is not None:
                await index.apply(pending)
