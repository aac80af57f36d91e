"""What the clinician tells the patient at the end of a warm handoff."""

from __future__ import annotations

from contracts.resources import CRISIS_LINES

# How soon the practice will reach her, by urgency: the acknowledgement clocks' words
# (warmlink.business_time.AcknowledgementRule: one business day, or a few open hours if urgent).
WITHIN_ROUTINE = "within one business day"
WITHIN_URGENT = "within a few business hours"

CRISIS_RESOURCES = tuple(
    {"name": r.name, "contact": r.contact, "kind": r.kind, "note": r.note} for r in CRISIS_LINES
)


def patient_message(practice_name: str, contact: str | None, urgent: bool = False) -> str:
    """What the clinician tells her in the room. An urgent referral runs on the practice's
    short clock (a few open hours, not a business day), so she is told that, not a day."""
    reach = f" You can also reach them at {contact}." if contact else ""
    within = WITHIN_URGENT if urgent else WITHIN_ROUTINE
    return (
        f"I've sent your referral to {practice_name}. You'll hear from them {within} to schedule "
        f"your first appointment.{reach} If you are ever in crisis, call or text 988, any time."
    )
