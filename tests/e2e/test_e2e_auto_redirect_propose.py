"""The network proposes before it redirects (REFERRAL_REDIRECT_POLICY=propose), over the real
broker and database: the site is told on the timeline when the referral will move; a site that
declines the proposal keeps the referral where it is; one nobody answers moves once its window
has passed. The window is four hours: the tests move its end into the past in the database
rather than wait for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.conftest import Network
from tests.e2e.redirect_support import published, redirecting_network, trigger_status
from tests.e2e.test_e2e_auto_redirect import current, moved_from, timeline
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, problem, submit
from tests.e2e.test_e2e_referral_redirect import decline
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    env = {"REDIRECT_POLICY": "propose", "REDIRECT_PROPOSAL_HOURS": "4"}
    with redirecting_network(infra, **env) as running:
        yield running


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


async def window_passed(net: Network, rid: str) -> None:
    """The proposal's window ends now, as if its four hours had gone by."""
    await net.query(
        "referral",
        "UPDATE auto_redirects SET due_at = now() - interval '1 second'"
        " WHERE referral_id = $1::uuid AND status = 'pending'",
        rid,
    )


async def proposed(net: Network, client: httpx.AsyncClient, key: str) -> str:
    """A referral declined by its practice, its redirect proposed to the site."""
    rid: str = (await submit(net, client, key)).json()["id"]
    await decline(net, client, rid, PRACTICE)
    action, reason = (await timeline(net, client, rid))[-1]
    assert action == "redirect_proposed"
    assert reason.startswith("declined: moves to the next match at ")
    assert await trigger_status(net, rid) == [("declined", "pending", None)]
    return rid


async def test_a_proposal_nobody_answers_moves_once_its_window_has_passed(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await proposed(net, referral, "propose-unanswered")
    assert (await current(net, referral, rid))["status"] == "declined"
    await window_passed(net, rid)
    moved = await moved_from(net, referral, rid, PRACTICE)
    assert moved["status"] == "submitted"
    events = await eventually(
        lambda: published(net, "ReferralRedirected", rid), what="the redirect on the broker"
    )
    assert [(e["reason"], e["automatic"]) for e in events] == [("declined", True)]


async def test_a_proposal_the_site_declines_keeps_the_referral_where_it_is(
    net: Network, referral: httpx.AsyncClient
) -> None:
    kept = await proposed(net, referral, "propose-declined")
    answer = await referral.post(
        f"/v1/referrals/{kept}/redirect-proposal/decline", headers=net.auth(SITE)
    )
    assert answer.status_code == 204, answer.text
    again = await referral.post(
        f"/v1/referrals/{kept}/redirect-proposal/decline", headers=net.auth(SITE)
    )
    assert problem(again, 409)["proposal"] == "none"
    assert await trigger_status(net, kept) == [("declined", "kept", None)]
    assert (await timeline(net, referral, kept))[-1][0] == "redirect_proposal_declined"

    # Another proposal, unanswered, moves once due: the worker has been by, and left this one.
    await window_passed(net, kept)
    other = await proposed(net, referral, "propose-declined-other")
    await window_passed(net, other)
    await moved_from(net, referral, other, PRACTICE)
    stays = await current(net, referral, kept)
    assert (stays["status"], stays["practice"]["id"]) == ("declined", PRACTICE)

    # The site may still redirect it itself.
    found = await referral.get(f"/v1/referrals/{kept}/next-matches", headers=net.auth(SITE))
    target = found.json()["matches"][0]
    body = {"practice_id": target["organization_id"], "service_id": target["service_id"]}
    moved = await referral.post(f"/v1/referrals/{kept}/redirect", json=body, headers=net.auth(SITE))
    assert moved.status_code == 200, moved.text


async def test_only_the_referring_site_answers_a_proposal(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await proposed(net, referral, "propose-not-yours")
    other_site = await referral.post(
        f"/v1/referrals/{rid}/redirect-proposal/decline", headers=net.auth("cedar-heights-obgyn")
    )
    problem(other_site, 404)
    assert await trigger_status(net, rid) == [("declined", "pending", None)]
