"""What the patient receives before she leaves the visit: who will contact her, when, how to reach
them, and what to do in a crisis (docs/domain.md "Who uses the network", "Safety path").

Pure rendering. Plain ASCII on purpose: SMS stays in the GSM-7 alphabet (non-GSM characters cut a
segment from 160 to 70 characters) and nothing renders as mojibake in an old mail client.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import resources
from services.referral.domain.patient_panel import WORDINGS, plain_ascii, wordings
from warmlink.patient_words import ENGLISH

SMS_MAX_CHARS = 320

PSI_HELPLINE = resources.PSI_HELPLINE.contact
MATERNAL_HOTLINE = resources.MATERNAL_MENTAL_HEALTH_HOTLINE.contact

# Discreet on purpose: the subject shows on lock screens and shared inboxes, so it names neither
# the practice nor mental health. The same as the panel's she may be sent later.
SUBJECT = WORDINGS[ENGLISH].subject


@dataclass(frozen=True)
class ConfirmationWording:
    greeting: str
    crisis: str
    referred: str  # {practice} {within} {when}
    reach: str  # {ways}
    no_reach: str
    ways_joiner: str
    support: str  # {psi} {hotline}
    closing: str
    sms_unsafe: str
    sms_referred: str  # {name} {within} {when}
    sms_within_routine: str
    sms_within_urgent: str
    sms_reach: str  # {ways}
    sms_no_reach: str
    sms_crisis: str
    sms_support: str  # {psi}


CONFIRMATION_WORDINGS = wordings(ConfirmationWording, "confirmation")


@dataclass(frozen=True)
class Confirmation:
    """The facts of one confirmation. No patient identity: the channel knows whom to send it to."""

    practice_name: str
    practice_phone: str | None
    practice_url: str | None
    acknowledge_by_local: str  # a phrase in the practice's time zone: "by Tuesday 5 pm"
    urgent: bool
    language: str = ENGLISH  # one of CONFIRMATION_WORDINGS (patient_panel.spoken_language)


def _words(c: Confirmation) -> ConfirmationWording:
    return CONFIRMATION_WORDINGS.get(c.language, CONFIRMATION_WORDINGS[ENGLISH])


def render_confirmation(c: Confirmation) -> tuple[str, str]:
    """(subject, plain-text body) for email, in her language, in plain ASCII."""
    w = _words(c)
    # The panel's words for when they will call: what she reads on the screen, she reads here.
    panel = WORDINGS.get(c.language, WORDINGS[ENGLISH])
    within = panel.within_urgent if c.urgent else panel.within_routine
    paragraphs = [w.greeting]
    if c.urgent:
        # Safety first: an urgent referral opens with the crisis line, before any logistics.
        paragraphs.append(w.crisis)
    paragraphs += [
        w.referred.format(practice=c.practice_name, within=within, when=c.acknowledge_by_local),
        _how_to_reach(c, w),
    ]
    if not c.urgent:
        paragraphs.append(w.crisis)
    paragraphs += [
        w.support.format(psi=PSI_HELPLINE, hotline=MATERNAL_HOTLINE),
        w.closing,
    ]
    return plain_ascii(panel.subject), plain_ascii("\n\n".join(paragraphs) + "\n")


def _how_to_reach(c: Confirmation, w: ConfirmationWording) -> str:
    ways = [w for w in (c.practice_phone, c.practice_url) if w]
    if not ways:
        return w.no_reach
    return w.reach.format(ways=w.ways_joiner.join(ways))


def render_sms(c: Confirmation) -> str:
    """The SMS version, at most `SMS_MAX_CHARS` characters whatever the practice data.

    The crisis and support lines are never shortened. While the text is too long: the web address
    goes first (a phone number is more use from an SMS), then the practice name and the deadline
    phrase are clipped, and last the phone number goes (the care team is named instead).
    """
    name, when = c.practice_name.strip(), c.acknowledge_by_local.strip()
    phone, url = c.practice_phone, c.practice_url
    w = _words(c)

    def render() -> str:
        return plain_ascii(_sms(w, c.urgent, name, when, phone, url))

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


def _sms(
    w: ConfirmationWording,
    urgent: bool,
    name: str,
    when: str,
    phone: str | None,
    url: str | None,
) -> str:
    ways = w.ways_joiner.join(x for x in (phone, url) if x)
    parts = []
    if urgent:
        parts.append(w.sms_unsafe)
    within = w.sms_within_urgent if urgent else w.sms_within_routine
    parts.append(w.sms_referred.format(name=name, within=within, when=when))
    parts.append(w.sms_reach.format(ways=ways) if ways else w.sms_no_reach)
    if not urgent:
        parts.append(w.sms_crisis)
    parts.append(w.sms_support.format(psi=PSI_HELPLINE))
    return " ".join(parts)


def _clip(value: str, length: int, minimum: int) -> str:
    length = max(length, minimum)
    return value if len(value) <= length else value[: length - 3].rstrip() + "..."
