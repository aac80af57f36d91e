"""The access log as people read it: a person by her email (or her id, when the portal does not
know her), a system as a system, what was done in words, times in the network's zone."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from services.portal.domain.access import (
    looks_up_any_referral,
    person_ids,
    referral_id_of,
    rows,
)
from warmlink.roles import Role

ZONE = ZoneInfo("America/Chicago")
HER, STRANGER = uuid.uuid4(), uuid.uuid4()


def entry(actor: str, **fields: object) -> dict[str, object]:
    return {
        "at": "2026-12-05T18:30:00+00:00",
        "actor": actor,
        "organization_id": "riverside-ob",
        "role": "clinic",
        "person_role": None,
        "action": "read",
        "record_type": "referral_patient",
        "change": None,
    } | fields


def test_people_by_email_systems_as_systems_and_what_in_words() -> None:
    entries = [
        entry(f"person:{HER}", person_role="site_coordinator"),
        entry(f"person:{STRANGER}", person_role="clinician", action="write", change="redirect"),
        entry("riverside-ob:clinic", action="write", record_type="screening"),
        entry("auto-redirect", organization_id="network", role=None, change="redirect_held"),
    ]
    assert person_ids(entries) == {HER, STRANGER}
    shown = rows(entries, {str(HER): "her@riverside-ob.example.org"}, ZONE)
    assert [(r.who, r.role, r.what) for r in shown] == [
        ("her@riverside-ob.example.org", "site coordinator", "Read her name and contact details"),
        (f"person:{STRANGER}", "clinician", "Changed the referral: redirect"),
        (
            "riverside-ob:clinic (a system, not a person)",
            "clinic",
            "Wrote the screen's answers and result",
        ),
        (
            "auto-redirect (a system, not a person)",
            "the network",
            "Changed the referral: redirect held",
        ),
    ]
    assert shown[0].at == "05 Dec 2026, 12:30:00", "in the network's time zone"


def test_only_the_network_looks_referrals_up_and_only_by_an_id() -> None:
    assert looks_up_any_referral(Role.ADMIN)
    assert not looks_up_any_referral(Role.CLINIC)
    assert referral_id_of(f"  {HER} ") == HER
    assert referral_id_of("pt-0001") is None
