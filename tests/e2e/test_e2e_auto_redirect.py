"""The network redirects by itself (REFERRAL_REDIRECT_POLICY=automatic), over the real broker and
database: a decline, a first appointment five weeks out and a missed acknowledgement each move the
referral to the next match, never back to a practice that declined or missed it, and the site is
told (timeline, webhook, worklist). A Part 2 referral waits for consent naming the new practice,
and a referral with no match left waits for the site: both are the site's task instead."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e import test_e2e_subscriptions as subscriptions_e2e
from tests.e2e.conftest import Network
from tests.e2e.redirect_support import published, redirecting_network, site_told, trigger_status
from tests.e2e.test_e2e_referral_followup_reactions import breach, publish
from tests.e2e.test_e2e_referral_lifecycle import (
    PRACTICE,
    SITE,
    positive_screen_on_worklist,
    submit,
)
from tests.e2e.test_e2e_referral_redirect import booked, decline, redirect
from tests.e2e.test_e2e_screen_to_worklist import worklist
from tests.e2e.test_e2e_subscription_alerts import subscribe
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Receiver

receiver = subscriptions_e2e.receiver


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    with redirecting_network(infra, REDIRECT_POLICY="automatic") as running:
        yield running


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


async def current(net: Network, client: httpx.AsyncClient, rid: str) -> dict[str, Any]:
    found = await client.get(f"/v1/referrals/{rid}", headers=net.auth(SITE))
    assert found.status_code == 200, found.text
    view: dict[str, Any] = found.json()
    return view


async def moved_from(
    net: Network, client: httpx.AsyncClient, rid: str, practice: str
) -> dict[str, Any]:
    """The referral once the network has moved it away from `practice`."""
    return await eventually(
        lambda: current(net, client, rid),
        until=lambda r: r["practice"]["id"] != practice,
        what=f"the automatic redirect away from {practice}",
    )


async def timeline(net: Network, client: httpx.AsyncClient, rid: str) -> list[tuple[str, str]]:
    found = await client.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))
    assert found.status_code == 200, found.text
    return [(t["action"], t["reason"]) for t in found.json()]


async def test_a_decline_is_redirected_by_itself_never_back_to_a_practice_that_declined(
    net: Network, referral: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(net, referral, net.auth(SITE), receiver.url("/site"))
    rid = (await submit(net, referral, "auto-decline")).json()["id"]
    await decline(net, referral, rid, PRACTICE)
    first = await moved_from(net, referral, rid, PRACTICE)
    assert first["status"] == "submitted"
    second_practice = first["practice"]["id"]
    assert (await timeline(net, referral, rid))[-1] == (
        "redirect",
        f"from {PRACTICE}: declined; automatic",
    )

    await decline(net, referral, rid, second_practice)
    second = await moved_from(net, referral, rid, second_practice)
    assert second["practice"]["id"] not in {PRACTICE, second_practice}

    events = await eventually(
        lambda: published(net, "ReferralRedirected", rid),
        until=lambda e: len(e) == 2,
        what="both redirects on the broker",
    )
    assert [(e["reason"], e["automatic"]) for e in events] == [("declined", True)] * 2
    assert [e["previous_practice_id"] for e in events] == [PRACTICE, second_practice]
    told = await site_told(net, SITE, rid)
    moves = [t for t in told if t[1] == "ReferralRedirected"]
    assert len(moves) == 2, f"the site's subscriber is told of each move: {told}"
    assert await trigger_status(net, rid) == [("declined", "moved", None)] * 2


async def test_a_first_appointment_five_weeks_out_is_redirected_by_itself(
    net: Network, referral: httpx.AsyncClient
) -> None:
    in_time = await booked(net, referral, "auto-3-weeks", 21)
    rid = await booked(net, referral, "auto-5-weeks", 35)
    moved = await moved_from(net, referral, rid, PRACTICE)
    assert moved["status"] == "submitted"
    steps = await timeline(net, referral, rid)
    assert ("redirect_allowed", "no_timely_appointment") in steps
    assert steps[-1] == ("redirect", f"from {PRACTICE}: no_timely_appointment; automatic")
    events = await eventually(
        lambda: published(net, "ReferralRedirected", rid), what="the redirect on the broker"
    )
    assert [(e["reason"], e["automatic"]) for e in events] == [("no_timely_appointment", True)]

    # Three weeks is within a routine referral's 30 days: nothing was due, nothing moved.
    kept = await current(net, referral, in_time)
    assert (kept["status"], kept["practice"]["id"]) == ("scheduled", PRACTICE)
    assert await trigger_status(net, in_time) == []


async def test_a_missed_acknowledgement_is_redirected_by_itself(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "auto-ack-missed")).json()["id"]
    await publish(net, breach(rid))  # the follow-up service's word that the deadline passed
    moved = await moved_from(net, referral, rid, PRACTICE)
    assert moved["status"] == "submitted"
    events = await eventually(
        lambda: published(net, "ReferralRedirected", rid), what="the redirect on the broker"
    )
    assert [(e["reason"], e["automatic"]) for e in events] == [("ack_overdue", True)]


async def test_a_part2_referral_waits_for_consent_naming_the_new_practice(
    net: Network, referral: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(net, referral, net.auth(SITE), receiver.url("/part2"))
    sid = await positive_screen_on_worklist(net, "pt-auto-part2")
    consent = {"given": True, "part2": True, "part2_redisclosure": True}
    created = await submit(
        net,
        referral,
        "auto-part2",
        screening_id=sid,
        patient_ref="pt-auto-part2",
        consent=consent,
    )
    rid = created.json()["id"]
    await decline(net, referral, rid, PRACTICE)
    await eventually(
        lambda: trigger_status(net, rid),
        until=lambda t: t == [("declined", "held", "redisclosure_consent_needed")],
        what="the redirect held for consent",
    )
    held = await current(net, referral, rid)
    assert (held["status"], held["practice"]["id"]) == ("declined", PRACTICE)
    action, reason = (await timeline(net, referral, rid))[-1]
    assert action == "redirect_held"
    assert reason.startswith("redisclosure_consent_needed: next match ")
    task = [i for i in await worklist(net) if i["screening_id"] == sid]
    assert [(i["reason"], i["reason_detail"]) for i in task] == [
        ("redisclosure_consent_needed", "declined")
    ]
    await eventually(lambda: published(net, "RedirectHeld", rid), what="RedirectHeld on the broker")
    told = await site_told(net, SITE, rid)
    assert ("alert.redirect_held", "RedirectHeld", "redisclosure_consent_needed") in told

    # Her consent naming the next match: the site moves it, and the task is done.
    org, service = reason.removeprefix("redisclosure_consent_needed: next match ").split(" ")
    target = {"organization_id": org, "service_id": service.strip("()")}
    moved = await redirect(net, referral, rid, target, consent={"part2_redisclosure": True})
    assert moved.status_code == 200, moved.text
    assert not any(i["screening_id"] == sid for i in await worklist(net))


async def test_a_referral_with_no_match_left_waits_for_the_site(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "auto-no-match", match_criteria=None)).json()["id"]
    await decline(net, referral, rid, PRACTICE)
    await eventually(
        lambda: trigger_status(net, rid),
        until=lambda t: t == [("declined", "held", "no_match")],
        what="the redirect held for want of a match",
    )
    assert (await timeline(net, referral, rid))[-1] == ("redirect_held", "no_match")
    assert (await current(net, referral, rid))["status"] == "declined"
    held = await eventually(lambda: published(net, "RedirectHeld", rid), what="RedirectHeld")
    assert [(h["reason"], h["hold"]) for h in held] == [("declined", "no_match")]


async def test_a_redirect_waits_out_a_directory_that_does_not_answer(
    net: Network, referral: httpx.AsyncClient
) -> None:
    """Last in the module: it stops the directory. The decline commits without it; the redirect
    stays due until the directory answers again, then moves."""
    rid = (await submit(net, referral, "auto-directory-down")).json()["id"]
    net.stack.stop_service("directory")
    try:
        await decline(net, referral, rid, PRACTICE)
        assert await trigger_status(net, rid) == [("declined", "pending", None)]
        assert (await current(net, referral, rid))["status"] == "declined"
    finally:
        net.stack.start_service("directory")
        net.stack.wait_ready("directory")
    moved = await moved_from(net, referral, rid, PRACTICE)
    assert moved["status"] == "submitted"
    assert await trigger_status(net, rid) == [("declined", "moved", None)]
