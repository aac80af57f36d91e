"""The site coordinator's referral partners: the practices her site refers to first, chosen
from the directory in one form (tick the ones, save). Pure."""

from __future__ import annotations

from typing import Any

PRACTICE_TYPES = {
    "private_practice": "Private practice",
    "community_mental_health_center": "Community mental health center",
    "fqhc": "Federally qualified health center",
    "hospital_program": "Hospital programme",
    "telehealth_only": "Telehealth only",
}


def choices(organizations: list[dict[str, Any]], preferred: list[str]) -> list[dict[str, Any]]:
    """Every active receiving practice, partners first (in the site's order), then by name,
    each with whether it is ticked. A suspended partner stays listed, so saving keeps it."""
    place = {pid: i for i, pid in enumerate(preferred)}
    practices = [
        o
        for o in organizations
        if o.get("kind") == "practice" and (o.get("status") == "active" or o["id"] in place)
    ]
    practices.sort(key=lambda o: (place.get(o["id"], len(place)), o["name"].lower()))
    return [
        {
            "id": o["id"],
            "name": o["name"],
            "type": PRACTICE_TYPES.get(o.get("practice_type") or "", "Practice"),
            "chosen": o["id"] in place,
            "suspended": o.get("status") != "active",
        }
        for o in practices
    ]


FIELD = "partner:"


def chosen_in(form: dict[str, str]) -> list[str]:
    """The ticked practices, in the page's order. Each checkbox is named `partner:<practice
    id>`: a form field name comes once, so one name per practice keeps them all."""
    return [name.removeprefix(FIELD) for name in form if name.startswith(FIELD)]
