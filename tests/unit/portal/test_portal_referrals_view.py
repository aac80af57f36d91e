"""The site's referral list as its people filter it: what the form refuses beside the field,
the query it becomes (whole days in the network's time zone, `*` for a prefix), and the
timeline newest first saying who did each step."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.portal.domain.referrals import ReferralFilters, timeline_view

CHICAGO = ZoneInfo("America/Chicago")


def test_filters_become_the_referral_services_query() -> None:
    filters = ReferralFilters.of(
        {
            "status": "scheduled",
            "clinician": "p1",
            "submitted_from": "2026-12-01",
            "submitted_to": "2026-12-31",
            "patient": "pt-00*",
        }
    )
    assert filters.errors({"p1"}) == {}
    assert filters.api_query(CHICAGO) == {
        "status": "scheduled",
        "submitted_by": "person:p1",
        "submitted_from": "2026-12-01T00:00:00-06:00",
        "submitted_before": "2027-01-01T00:00:00-06:00",
        "patient_ref_prefix": "pt-00",
    }
    assert ReferralFilters(patient="pt-7").api_query(CHICAGO) == {"patient_ref": "pt-7"}


def test_each_bad_filter_is_refused_beside_its_field() -> None:
    filters = ReferralFilters.of(
        {
            "status": "lost",
            "clinician": "someone-else",
            "submitted_from": "2026-12-05",
            "submitted_to": "2026-12-01",
            "patient": "pt 1",
        }
    )
    assert set(filters.errors({"p1"})) == {"status", "clinician", "submitted_to", "patient"}
    assert set(ReferralFilters(submitted_from="soon").errors(set())) == {"submitted_from"}
    assert set(ReferralFilters(patient="*").errors(set())) == {"patient"}


def test_the_timeline_reads_newest_first_with_who() -> None:
    entries = [
        {
            "at": "2026-12-01T15:00:00+00:00",
            "actor": "person:a",
            "organization_id": "site",
            "action": "submit",
            "reason": None,
        },
        {
            "at": "2026-12-01T16:00:00+00:00",
            "actor": "person:b",
            "organization_id": "bloom",
            "action": "decline",
            "reason": "no_capacity",
        },
    ]
    steps = timeline_view(entries, {"person:a": "ana@site.example"}, "site", CHICAGO)
    assert [(s["who"], s["what"], s["why"]) for s in steps] == [
        ("bloom", "The practice declined", "no capacity"),
        ("ana@site.example", "Referral sent", ""),
    ]
    assert steps[1]["when"] == "Tue 1 Dec 2026 09:00"
