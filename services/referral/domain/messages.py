"""What the clinician tells the patient at the end of a warm handoff."""

from __future__ import annotations

from contracts.resources import CRISIS_LINES

CRISIS_RESOURCES = tuple(
    {"name": r.name, "contact": r.contact, "kind": r.kind, "note": r.note} for r in CRISIS_LINES
)


def patient_message(practice_name: str, contact: str | None) -> str:
    reach = f" You can also reach them at {contact}." if contact else ""
    return (
        f"I've sent your referral to {practice_name}. You'll hear from them within one business "
        f"day to schedule your first appointment.{reach} If you are ever in crisis, call or text "
        "988, any time."
    )
