"""What the clinician tells the patient at the end of a warm handoff."""

from __future__ import annotations

CRISIS_RESOURCES = (
    {"name": "988 Suicide & Crisis Lifeline", "contact": "Call or text 988", "kind": "crisis"},
    {
        "name": "Postpartum Support International HelpLine",
        "contact": "1-800-944-4773",
        "kind": "support",
    },
    {
        "name": "National Maternal Mental Health Hotline",
        "contact": "1-833-TLC-MAMA (1-833-852-6262)",
        "kind": "support",
    },
)


def patient_message(practice_name: str, contact: str | None) -> str:
    reach = f" You can also reach them at {contact}." if contact else ""
    return (
        f"I've sent your referral to {practice_name}. You'll hear from them within one business "
        f"day to schedule your first appointment.{reach} If you are ever in crisis, call or text "
        "988, any time."
    )
