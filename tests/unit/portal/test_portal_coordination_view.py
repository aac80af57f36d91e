"""The coordinators' consoles as they read them: the completion form's refusals, the tasks
sorted into sections, the months of the review, and staleness in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.portal.domain.coordination import Completion, console, months_back
from services.portal.domain.reviews import listing_views, month_row, site_csv_rows, staleness

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def task(kind: str, status: str = "open", **extra: object) -> dict[str, object]:
    return {
        "id": f"{kind}-{status}",
        "referral_id": "r-1",
        "kind": kind,
        "status": status,
        "due_at": NOW.isoformat(),
        "opened_at": NOW.isoformat(),
        "closed_at": None,
        "urgent": False,
    } | extra


def test_the_form_asks_for_a_barrier_only_when_care_did_not_happen() -> None:
    missing = Completion("not_scheduled", "", ("called",), "yes")
    assert missing.errors() == {"barrier": "Choose what stood in the way."}
    needless = Completion("attended", "cost", (), "no")
    assert needless.errors() == {"barrier": "Leave this empty: care happened."}
    bad = Completion("", "", ("bribed",), "maybe")
    assert set(bad.errors()) == {"outcome", "tried", "re_engaged"}
    good = Completion("not_attended", "childcare", ("arranged_childcare",), "yes")
    assert good.errors() == {}
    assert good.body() == {
        "outcome": "not_attended",
        "barrier": "childcare",
        "tried": ["arranged_childcare"],
        "re_engaged": True,
    }


def test_tasks_sort_into_due_gate_risks_and_re_engagement() -> None:
    sorted_ = console(
        [
            task("scheduling_check"),
            task("discharge_gate"),
            task("next_visit_check", "completed", closed_at=NOW.isoformat(), tried=["called"]),
            task("ack_overdue", "resolved"),
            task("scheduling_check") | {"referral_id": None, "screening_id": "s-1"},
        ],
        ZONE,
    )
    assert [t["kind"] for t in sorted_.due] == ["scheduling_check"]
    assert [t["kind"] for t in sorted_.gate_risks] == ["discharge_gate"]
    assert [t["tried_labels"] for t in sorted_.re_engagement] == [["Called her"]]


def test_the_review_months_and_its_rows() -> None:
    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    row = month_row(
        "2026-02",
        {
            "referred": 4,
            "attended": 1,
            "completion_rate": 0.25,
            "referred_with_barriers": 1,
            "barriers": {"transport": 1},
        },
    )
    assert (row["referred"], row["acknowledged"], row["completion"]) == (4, 0, "25%")
    assert row["barriers"] == "Getting there: 1"
    text = "month,section,group_by,group,measure,value\n" + "\n".join(
        [
            "2026-02,measures,site,riverside-ob,referred,4",
            "2026-02,measures,site,riverside-ob-annex,referred,1",
            "2026-02,measures,network,all,referred,5",
        ]
    )
    assert site_csv_rows(text, "riverside-ob").splitlines()[1:] == [
        "2026-02,measures,site,riverside-ob,referred,4"
    ]


def test_staleness_in_words_and_only_what_goes_stale_soon() -> None:
    assert staleness((NOW + timedelta(days=1, hours=2)).isoformat(), NOW, ZONE) == "stale in 1 day"
    assert staleness((NOW - timedelta(days=3)).isoformat(), NOW, ZONE) == (
        "stale since 17 Nov 2026"
    )
    listings = [
        {"service_id": "a", "stale_at": (NOW - timedelta(days=1)).isoformat()},
        {"service_id": "b", "stale_at": (NOW + timedelta(days=2)).isoformat()},
        {"service_id": "c", "stale_at": (NOW + timedelta(days=6)).isoformat()},
    ]
    shown = listing_views(listings, NOW, timedelta(days=3), ZONE)
    assert [x["service_id"] for x in shown] == ["a", "b"]
