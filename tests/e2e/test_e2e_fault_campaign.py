"""The fault campaign, short: the whole network (embedded PostgreSQL and broker, the five services
as processes) under the simulator's traffic and 10 seeded faults, settled and checked. Then the
checker is shown to catch what it looks for: a notification the subscriber never applied, a hold
the directory keeps for no open referral, a referral the client was told was made but is not."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import orjson
import pytest

from tools.faults.campaign import Options, Result, campaign, check, summary
from tools.faults.client import Ledger
from tools.faults.network import Network, start_network
from tools.faults.receiver import read_log

pytestmark = pytest.mark.slow
OPTIONS = Options(faults=10, seed=4)


@pytest.fixture(scope="module")
def ran() -> Iterator[tuple[Network, Result]]:
    net = start_network(Path(tempfile.mkdtemp(prefix="warmlink-faults-e2e-")))
    try:
        result = asyncio.run(campaign(net, OPTIONS, print))
        print("\n".join(summary(result, OPTIONS)))  # in the log of a run with -s
        yield net, result
    finally:
        net.stop()


@pytest.mark.timeout(480)  # the campaign itself: about 3 minutes on a busy 2-core machine
def test_ten_faults_lose_nothing_and_do_nothing_twice(ran: tuple[Network, Result]) -> None:
    _, result = ran
    printed = "\n".join(summary(result, OPTIONS))
    assert result.ok, printed
    assert len(result.applied) == 10
    assert len(result.by_kind()) == 10  # ten different faults
    assert result.figures is not None
    assert (result.figures.lost, result.figures.duplicated) == (0, 0), printed
    assert result.figures.referrals_submitted > 0 and result.figures.notifications > 0, printed
    assert result.recovery_s is not None and result.recovery_s <= 60, printed


async def test_the_checks_catch_a_lost_notification_a_stray_hold_and_a_lost_referral(
    ran: tuple[Network, Result],
) -> None:
    net, result = ran
    log = read_log(net.subscriber.log_path)
    # A status change the subscriber applied (not the handshake, number 0), as if it never came.
    delivered = next(e["webhook_id"] for e in log if e["answered"] == 200 and e["event_number"])
    kept = [orjson.dumps(e) for e in log if e["webhook_id"] != delivered]
    net.subscriber.log_path.write_bytes(b"\n".join(kept) + b"\n")
    conn = await asyncpg.connect(net.database_url("directory"))
    try:
        await conn.execute(
            "INSERT INTO capacity_holds (referral_id, practice_id, service_id, state, took_slot)"
            " VALUES ($1, 'nobody', 'nothing', 'held', false)",
            uuid.uuid4(),
        )
    finally:
        await conn.close()
    told = Ledger(result.ledger.answers | {"sim-x-referral-1": (201, str(uuid.uuid4()))})
    tampered = replace(result, checks=[], figures=None, ledger=told)
    await check(net, OPTIONS, tampered)
    failed = {c.name for c in tampered.checks if not c.ok}
    assert failed == {
        "notifications: each webhook-id received by the subscriber (lost)",
        "notifications: subscriber saw each subscription's numbers without gaps",
        "directory holds equal open referrals",
        "referrals: every key answered 2xx has its record (lost)",
    }, summary(tampered, OPTIONS)
    assert tampered.figures is not None and tampered.figures.lost == 2
    assert not tampered.ok
