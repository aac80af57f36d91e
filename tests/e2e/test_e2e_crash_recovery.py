"""A service killed after its database commit and before publishing still publishes on restart."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess

import httpx

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_screen_to_worklist import SITE, phq9, worklist
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.relay import CRASH_EXIT_CODE


async def test_event_committed_before_a_crash_is_published_after_restart(
    infra: Infrastructure,
) -> None:
    stack = await asyncio.to_thread(start_network, infra, ["screening", "referral"])
    network = Network(stack)
    try:
        stack.stop_service("screening")
        stack.start_service("screening", {"FAULT_CRASH_BEFORE_PUBLISH": "true"})
        stack.wait_ready("screening")
        with contextlib.suppress(httpx.HTTPError):  # the process may die before it answers
            async with httpx.AsyncClient(base_url=network.url("screening"), timeout=5) as client:
                await client.post(
                    "/v1/screenings", json=phq9("crash-1", [3] * 9), headers=network.auth(SITE)
                )
        process = stack.services["screening"]
        await eventually(
            lambda: _exited(process), until=lambda code: code is not None, what="the crash"
        )
        assert process.returncode == CRASH_EXIT_CODE, (
            "the relay should have crashed before publishing"
        )

        committed = await network.query(
            "screening", "SELECT published_at FROM outbox WHERE event_type = 'ScreenPositive'"
        )
        assert [r["published_at"] for r in committed] == [None]
        assert await worklist(network) == []

        stack.services.pop("screening")
        stack.start_service("screening")
        stack.wait_ready("screening")
        items = await eventually(lambda: worklist(network), what="worklist item after restart")
        assert [i["patient_ref"] for i in items] == ["crash-1"]
    finally:
        stack.stop()


async def _exited(process: subprocess.Popen[bytes]) -> int | None:
    return process.poll()
