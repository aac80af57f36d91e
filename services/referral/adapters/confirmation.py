"""What the patient receives before she leaves the visit: who will contact her, when, how to reach
them, and what to do in a crisis (docs/domain.md "Who uses the network", "Safety path").

Pure rendering. Plain ASCII on purpose: SMS stays in the GSM-7 alphabet (non-GSM characters cut a
segment from 160 to 70 characters) and nothing renders as mojibake in an old mail client.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import resources
from services.referral.domain.messages import WITHIN_ROUTINE, WITHIN_URGENT
from services.referral.domain.patient_panel import ENGLISH, WORDINGS

SMS_MAX_CHARS = 320

PSI_HELPLINE = resources.PSI_HELPLINE.contact
MATERNAL_HOTLINE = resources.MATERNAL_MENTAL_HEALTH_HOTLINE.contact

# Discreet on purpose: the subject shows on lock screens and shared inboxes, so it names neither
# the practice nor mental health. The same as the panel's she may be sent later.
SUBJECT = WORDINGS[ENGLISH].subject


@dataclass(frozen=True)
class Confirmation:
    """The facts of one confirmation. No patient identity: the channel knows whom to send it to."""

    practice_name: str
    practice_phone: str | None
    practice_url: str | None
    acknowledge_by_local: str  # a phrase in the practice's time zone: "by Tuesday 5 pm"
    urgent: bool


def render_confirmation(c: Confirmation) -> tuple[str, str]:
    """(subject, plain-text body) for email."""
    crisis = (
        "If you are thinking about harming yourself or do not feel safe, call or text 988 "
        "(Suicide & Crisis Lifeline) now, day or night. In an emergency, call 911."
    )
    paragraphs = ["Hello,"]
    if c.urgent:
        # Safety first: an urgent referral opens with the crisis line, before any logistics.
        paragraphs.append(crisis)
    paragraphs += [
        f"Your care team has referred you to {c.practice_name}. They will contact you "
        f"{WITHIN_URGENT if c.urgent else WITHIN_ROUTINE}, {c.acknowledge_by_local}.",
        _how_to_reach(c),
    ]
    if not c.urgent:
        paragraphs.append(crisis)
    paragraphs += [
        "Support while you wait (these are not crisis lines):\n"
        f"- PSI HelpLine: {PSI_HELPLINE} (call or text)\n"
        f"- National Maternal Mental Health Hotline: {MATERNAL_HOTLINE}, free and confidential, "
        "call or text any time",
        "You are not alone, and help is on the way.",
    ]
    return SUBJECT, "\n\n".join(paragraphs) + "\n"


def _how_to_reach(c: Confirmation) -> str:
    ways = [w for w in (c.practice_phone, c.practice_url) if w]
    if not ways:
        return "If you have not heard from them by then, please call your care team."
    return f"If you have not heard from them by then, you can reach them at {' or '.join(ways)}."


def render_sms(c: Confirmation) -> str:
    """The SMS version, at most `SMS_MAX_CHARS` characters whatever the practice data.

    The crisis and support lines are never shortened. While the text is too long: the web address
    goes first (a phone number is more use from an SMS), then the practice name and the deadline
    phrase are clipped, and last the phone number goes (the care team is named instead).
    """
    name, when = c.practice_name.strip(), c.acknowledge_by_local.strip()
    phone, url = c.practice_phone, c.practice_url

    def render() -> str:
        return _sms(c.urgent, name, when, phone, url)

    text = render()
    if len(text) > SMS_MAX_CHARS:
        url = None
        text = render()
    if len(text) > SMS_MAX_CHARS:
        name = _clip(name, len(name) - (len(text) - SMS_MAX_CHARS), minimum=24)
        text = render()
    if len(text) > SMS_MAX_CHARS:
        when = _clip(when, len(when) - (len(text) - SMS_MAX_CHARS), minimum=16)
        text = render()
    if len(text) > SMS_MAX_CHARS:
        phone = None  # only an implausibly long "phone number" gets here
        text = render()
    return text


def _sms(urgent: bool, name: str, when: str, phone: str | None, url: str | None) -> str:
    ways = " or ".join(w for w in (phone, url) if w)
    parts = []
    if urgent:
        parts.append("If you do not feel safe, call or text 988 now.")
    within = "within a few hours" if urgent else "within 1 business day"  # SMS: short
    parts.append(f"Your referral: {name} will contact you {within}, {when}.")
    parts.append(f"Reach them: {ways}." if ways else "No word by then? Call your care team.")
    if not urgent:
        parts.append("In a crisis, call or text 988.")
    parts.append(f"Support: PSI {PSI_HELPLINE}, Maternal MH Hotline 1-833-TLC-MAMA.")
    return " ".join(parts)


def _clip(value: str, length: int, minimum: int) -> str:
    length = max(length, minimum)
    return value if len(value) <= length else value[: length - 3].rstrip() + "..."
