"""Where she is in the perinatal period, asked on the handoff form for the practice's intake
(optional): weeks pregnant, or weeks since the birth (the infant's age). Pure."""

from __future__ import annotations

# Each field: the most weeks the referral service takes, and the words of the refusal.
PERINATAL_WEEKS = {
    "weeks_pregnant": (45, "the weeks of her pregnancy"),
    "weeks_postpartum": (104, "the weeks since the birth"),
}


def _weeks(value: str, most: int) -> int | None:
    text = value.strip()
    return int(text) if text.isdigit() and int(text) <= most else None


def errors(form: dict[str, str]) -> dict[str, str]:
    found = {}
    for name, (most, words) in PERINATAL_WEEKS.items():
        if form.get(name, "").strip() and _weeks(form[name], most) is None:
            found[name] = f"Enter {words} as a whole number from 0 to {most}, or leave it empty."
    return found


def weeks(form: dict[str, str]) -> dict[str, int]:
    """The weeks entered on a form without errors, by the referral API's field names."""
    found = {}
    for name, (most, _) in PERINATAL_WEEKS.items():
        value = _weeks(form.get(name, ""), most)
        if value is not None:
            found[name] = value
    return found
