"""Network capacity from known listings, against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

from services.followup.measures.domain.capacity import capacity_summary
from services.followup.measures.domain.facts import Listing
from tests.unit.followup_measures.scenario import at

NOW = at(11, 20, 12)
WEEK = timedelta(hours=168)


def listing(
    practice: str,
    level: str | None,
    area: str | None,
    available: int | None,
    maximum: int | None,
    verified: object,
    *,
    nxt: date | None = None,
    accepting: bool = True,
    practice_accepting: bool = True,
    stale: bool = False,
) -> Listing:
    return Listing(
        practice_id=practice,
        service_id=f"{practice}-svc",
        level_of_care=level,
        area=area,
        practice_accepting=practice_accepting,
        available=available,
        maximum=maximum,
        next_available_intake=nxt,
        accepting_new_patients=accepting,
        verified_at=verified,  # type: ignore[arg-type]
        stale=stale,
    )


LISTINGS = [
    listing("bloom", "outpatient_therapy", "Chicago", 3, 10, at(11, 20, 6), nxt=date(2026, 11, 24)),
    listing("lantern", "outpatient_therapy", None, 5, 8, at(11, 19, 6), nxt=date(2026, 11, 22)),
    # verified 20 days (480 h) ago: older than a week, stale although its event said fresh
    listing("northside", "psychiatry", "Evanston", 2, 4, at(10, 31, 12), nxt=date(2026, 12, 1)),
    listing("harbor", "iop", "Chicago", 0, 6, at(11, 20, 6), accepting=False),
    listing("oak", "psychiatry", "Chicago", 4, 5, at(11, 20, 6), practice_accepting=False),
    listing("pine", "outpatient_therapy", "Evanston", None, None, None),  # never reported
    listing("maple", "php", "Chicago", 1, 2, at(11, 19, 6), stale=True),  # the directory said so
]


def test_capacity_summary() -> None:
    s = capacity_summary(LISTINGS, NOW, WEEK)
    assert s["network"] == {
        "services": 7,
        "open_slots": 8,  # bloom 3 + lantern 5 (harbor closed, oak's practice not accepting)
        "maximum_slots": 35,  # 10 + 8 + 4 + 6 + 5 + 2 (pine unreported)
        "stale_services": 2,  # northside (age), maple (flag)
        "stale_slots": 3,  # 2 + 1
        "unreported": 1,  # pine
        "next_available_intake": "2026-11-22",  # lantern; northside's is stale
    }
    levels = {r["level_of_care"]: r for r in s["by_level_of_care"]}
    assert levels["outpatient_therapy"]["open_slots"] == 8
    assert levels["outpatient_therapy"]["unreported"] == 1
    assert levels["psychiatry"]["open_slots"] == 0
    assert levels["psychiatry"]["stale_slots"] == 2
    assert levels["psychiatry"]["next_available_intake"] is None
    areas = {r["area"]: r for r in s["by_area"]}
    assert areas["telehealth"]["open_slots"] == 5
    assert areas["Chicago"]["open_slots"] == 3
    assert areas["Chicago"]["maximum_slots"] == 23  # 10 + 6 + 5 + 2
    assert areas["Evanston"]["stale_services"] == 1
    stale = s["stale_listings"]
    assert [x["practice_id"] for x in stale] == ["northside", "maple"]  # oldest first
    assert stale[0]["age_hours"] == 480.0  # 31 Oct 12:00 -> 20 Nov 12:00 = 20 days
