"""A screen entered on the portal: each item's option position, checked before it is sent to
the screening service, which scores it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.portal.domain.screen_entry import entry_errors, field_of, screening_body

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/Chicago")
FORM = {"patient_ref": "pt-1", "setting": "ob", "period": "postpartum"}
FORM |= {"screened_at": "2026-03-02T09:30"} | {f"item_{i}": "1" for i in range(1, 11)}


def test_a_complete_epds_is_sent_as_option_positions_at_the_local_time() -> None:
    assert entry_errors(FORM, "EPDS", NOW, ZONE) == {}
    body = screening_body(FORM, "EPDS", ZONE)
    assert body["answers"] == [1] * 10 and body["period"] == "postpartum"
    assert body["screened_at"] == "2026-03-02T09:30:00-06:00"


def test_missing_items_a_name_for_a_reference_and_a_future_time_are_refused() -> None:
    form = FORM | {"patient_ref": "Maria Lopez", "screened_at": "2026-03-02T11:00", "item_4": "7"}
    del form["item_10"]
    errors = entry_errors(form, "EPDS", NOW, ZONE)
    assert set(errors) == {"patient_ref", "screened_at", "item_4", "item_10"}
    assert "future" in errors["screened_at"]
    assert set(entry_errors(FORM, "PHQ-9", NOW, ZONE)) == set()  # 9 items: the 10th is ignored
    assert field_of("#/answers/3") == "item_4" and field_of("#/patient_ref") == "patient_ref"
