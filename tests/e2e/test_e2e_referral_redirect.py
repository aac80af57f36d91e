"""Redirects over the real broker and database: never back to a practice that declined or missed
the referral, a Part 2 referral waits for consent naming the new practice, and a first
appointment five weeks out makes a routine referral redirectable (no_timely_appointment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from tests.e2e import test_e2e_referral_lifecycle as lifecycle
from tests.e2e.conftest import Network
from tests.e2e.test_e2e_referral_lifecycle import (
    PRACTICE,
    SITE,
    positive_screen_on_worklist,
    problem,
    submit,
)
from tests.e2e.test_e2e_screen_to_worklist import worklist
from tests.support.waiting import eventually
from warmlink.auth import Role

# The lifecycle tests' network (directory, screening and referral over the real broker and
# database, the region seeded) and referral client, started afresh for this module.
net = lifecycle.net
referral = lifecycle.referral


async def decline(net: Network, client: httpx.AsyncClient, rid: str, practice: str) -> None:
    declined = await client.post(
        f"/v1/intake/{rid}/decline",
        json={"reason": "no_capacity"},
        headers=net.auth(practice, Role.PRACTICE),
    )
    assert declined.status_code == 200, declined.text


async def next_matches(net: Network, client: httpx.AsyncClient, rid: str) -> list[dict[str, Any]]:
    found = await client.get(f"/v1/referrals/{rid}/next-matches", headers=net.auth(SITE))
    assert found.status_code == 200, found.text
    matches: list[dict[str, Any]] = found.json()["matches"]
    return matches


async def redirect(
    net: Network, client: httpx.AsyncClient, rid: str, target: dict[str, Any], **extra: Any
) -> httpx.Response:
    body = {"practice_id": target["organization_id"], "service_id": target["service_id"]}
    return await client.post(
        f"/v1/referrals/{rid}/redirect", json=body | extra, headers=net.auth(SITE)
    )


async def redirected_reasons(net: Network, rid: str) -> list[str]:
    """The reasons of the ReferralRedirected events the relay published for `rid`."""
    rows = await net.query(
        "referral",
        "SELECT payload FROM outbox WHERE event_type = 'ReferralRedirected' AND key = $1"
        " AND published_at IS NOT NULL ORDER BY id",
        rid,
    )
    return [_payload(r["payload"])["reason"] for r in rows]


def _payload(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(raw)["data"]
    return data


async def test_a_decline_then_a_redirect_that_never_goes_back_to_a_declining_practice(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "redirect-skip")).json()["id"]
    await decline(net, referral, rid, PRACTICE)
    first = (await next_matches(net, referral, rid))[0]
    moved = await redirect(net, referral, rid, first)
    assert moved.status_code == 200, moved.text
    await decline(net, referral, rid, first["organization_id"])

    offered = {m["organization_id"] for m in await next_matches(net, referral, rid)}
    assert offered and not offered & {PRACTICE, first["organization_id"]}
    back = await redirect(
        net,
        referral,
        rid,
        {"organization_id": PRACTICE, "service_id": "bloom-therapy-outpatient"},
    )
    refused = problem(back, 409)
    assert refused["practice_id"] == PRACTICE
    assert "/practice_id" in str(refused)
    await eventually(
        lambda: redirected_reasons(net, rid), until=lambda r: r == ["declined"], what="event"
    )


async def test_a_part2_referral_waits_for_consent_naming_the_new_practice(
    net: Network, referral: httpx.AsyncClient
) -> None:
    consent = {"given": True, "part2": True, "part2_redisclosure": True}
    rid = (await submit(net, referral, "redirect-part2", consent=consent)).json()["id"]
    await decline(net, referral, rid, PRACTICE)
    target = (await next_matches(net, referral, rid))[0]
    waiting = problem(await redirect(net, referral, rid, target), 422)
    assert "/consent/part2_redisclosure" in str(waiting)
    still = await referral.get(f"/v1/referrals/{rid}", headers=net.auth(SITE))
    assert still.json()["status"] == "declined" and still.json()["practice"]["id"] == PRACTICE

    moved = await redirect(net, referral, rid, target, consent={"part2_redisclosure": True})
    assert moved.status_code == 200, moved.text
    timeline = (await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))).json()
    assert "Part 2 redisclosure consented" in timeline[-1]["reason"]


async def booked(
    net: Network, client: httpx.AsyncClient, key: str, days_ahead: int, **overrides: Any
) -> str:
    """A routine referral acknowledged and booked `days_ahead` days after its submission."""
    rid: str = (await submit(net, client, key, **overrides)).json()["id"]
    practice = net.auth(PRACTICE, Role.PRACTICE)
    await client.post(f"/v1/intake/{rid}/acknowledge", headers=practice)
    at = datetime.now(UTC) + timedelta(days=days_ahead)
    scheduled = await client.post(
        f"/v1/intake/{rid}/schedule",
        json={"appointment_at": at.isoformat(), "modality": "in_person"},
        headers=practice,
    )
    assert scheduled.status_code == 200, scheduled.text
    return rid


async def test_a_first_appointment_five_weeks_out_makes_a_routine_referral_redirectable(
    net: Network, referral: httpx.AsyncClient
) -> None:
    in_time = await booked(net, referral, "redirect-3-weeks", 21)
    target = (await next_matches(net, referral, in_time))[0]
    refused = problem(await redirect(net, referral, in_time, target), 409)
    assert refused["current_status"] == "scheduled"
    timeline = await referral.get(f"/v1/referrals/{in_time}/timeline", headers=net.auth(SITE))
    assert "redirect_allowed" not in [t["action"] for t in timeline.json()]

    rid = await booked(net, referral, "redirect-5-weeks", 35)
    told = (await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))).json()
    assert (told[-1]["action"], told[-1]["reason"]) == ("redirect_allowed", "no_timely_appointment")
    moved = await redirect(net, referral, rid, target)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "submitted"
    assert moved.json()["practice"]["id"] == target["organization_id"]
    await eventually(
        lambda: redirected_reasons(net, rid),
        until=lambda r: r == ["no_timely_appointment"],
        what="the redirect's event on the broker",
    )
    timeline = (await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))).json()
    assert timeline[-1]["reason"] == f"from {PRACTICE}: no_timely_appointment"


async def test_a_screened_patient_booked_too_late_is_back_on_the_worklist_until_redirected(
    net: Network, referral: httpx.AsyncClient
) -> None:
    sid = await positive_screen_on_worklist(net, "pt-late-1")
    # The screen is urgent (all nines), so the referral is too: a week is its limit.
    rid = await booked(
        net, referral, "redirect-late-screen", 10, screening_id=sid, patient_ref="pt-late-1"
    )
    back = [i for i in await worklist(net) if i["screening_id"] == sid]
    assert back and back[0]["reason"] == "no_timely_appointment"
    assert back[0]["next_matches"] == f"/v1/referrals/{rid}/next-matches"
    target = (await next_matches(net, referral, rid))[0]
    moved = await redirect(net, referral, rid, target)
    assert moved.status_code == 200, moved.text
    assert not any(i["screening_id"] == sid for i in await worklist(net))
