"""A screen entered at the portal when it does not come from the EHR: the printed form's answers
as option positions (0 = the first option printed), which the screening service scores
(docs/api.md "Screening API"). The portal never totals a screen itself."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# Instrument -> (items, options per item) on the printed form.
INSTRUMENTS = {"EPDS": (10, 4), "PHQ-9": (9, 4)}
SETTINGS = {
    "ob": "OB office",
    "pediatric": "Pediatric office",
    "hospital": "Hospital",
    "iop_php": "IOP/PHP",
}
PERIODS = {"": "Not recorded", "antenatal": "Pregnant (antenatal)", "postpartum": "Postpartum"}
OPTION_NAMES = ("First", "Second", "Third", "Fourth")
PATIENT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def entry_errors(
    form: dict[str, str], instrument: str, now: datetime, zone: ZoneInfo
) -> dict[str, str]:
    """What keeps the entered screen from being sent, by field; empty when it may go."""
    found = {}
    items, options = INSTRUMENTS[instrument]
    if not PATIENT_REF.match(form.get("patient_ref", "").strip()):
        found["patient_ref"] = "Enter the patient reference (letters, digits, . _ : -; no names)."
    if form.get("setting") not in SETTINGS:
        found["setting"] = "Choose where she was screened."
    if form.get("period", "") not in PERIODS:
        found["period"] = "Choose pregnant, postpartum or not recorded."
    when = _local(form.get("screened_at", ""))
    if when is None:
        found["screened_at"] = "Enter when she filled in the form."
    elif when.replace(tzinfo=zone) > now:
        found["screened_at"] = "The screen cannot be in the future."
    for item in range(1, items + 1):
        if form.get(f"item_{item}") not in {str(o) for o in range(options)}:
            found[f"item_{item}"] = f"Choose the option she marked for item {item}."
    return found


def screening_body(form: dict[str, str], instrument: str, zone: ZoneInfo) -> dict[str, Any]:
    items, _ = INSTRUMENTS[instrument]
    local = _local(form["screened_at"])
    assert local is not None
    body: dict[str, Any] = {
        "instrument": instrument,
        "answers": [int(form[f"item_{i}"]) for i in range(1, items + 1)],
        "patient_ref": form["patient_ref"].strip(),
        "setting": form["setting"],
        "screened_at": local.replace(tzinfo=zone).isoformat(),
    }
    if form.get("period"):
        body["period"] = form["period"]
    return body


def field_of(pointer: str) -> str:
    """The form field a screening API pointer names: `#/answers/3` is item 4."""
    parts = pointer.removeprefix("#").strip("/").split("/")
    if parts[0] == "answers" and len(parts) > 1 and parts[1].isdigit():
        return f"item_{int(parts[1]) + 1}"
    return parts[0]


def _local(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=None) if value.strip() else None
    except ValueError:
        return None
