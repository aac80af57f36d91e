"""The demo seeder reaches the directory through its API only: stale demo capacity is sent with
its verification time (honoured by a development directory), never written into its tables."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tools.dev import seed
from warmlink.tokens import ensure_key_pair


def _seed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **kwargs: Any) -> dict[str, Any]:
    """Seed against a stand-in directory; return each capacity PUT body by service id."""
    capacities: dict[str, Any] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/capacity"):
            capacities[request.url.path.split("/")[3]] = json.loads(request.content)
        return httpx.Response(200, json={})

    client = httpx.Client
    monkeypatch.setattr(
        seed.httpx,
        "Client",
        lambda **kw: client(transport=httpx.MockTransport(answer), **kw),
    )
    signing, _ = ensure_key_pair(tmp_path / "keys")
    seed.seed_region("http://directory.test", signing, **kwargs)
    return capacities


def test_the_region_s_verification_times_go_with_the_capacity_when_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    capacities = _seed(monkeypatch, tmp_path, as_verified=True)
    assert capacities
    times = [datetime.fromisoformat(c["verified_at"]) for c in capacities.values()]
    assert all(t.utcoffset() is not None for t in times)  # ISO 8601 with an offset
    assert max(times) - min(times) > timedelta(days=7)  # the stale listings are old


def test_without_asking_the_directory_stamps_the_capacity_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    capacities = _seed(monkeypatch, tmp_path)
    assert capacities
    assert all("verified_at" not in c for c in capacities.values())
