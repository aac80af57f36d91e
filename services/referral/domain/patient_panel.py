"""What she hears at the end of a warm handoff, written for her and in her language: the panel the
medical assistant turns toward her, and the same words sent to her phone or inbox.

One wording for both, so what she reads on the screen and what she keeps are the same. Pure.
The words name the practice, when it will call, the number it calls from and the crisis lines;
never her name, her screen or anything clinical.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from contracts import resources
from services.referral.domain.messages import WITHIN_ROUTINE, WITHIN_URGENT

HOTLINE = resources.MATERNAL_MENTAL_HEALTH_HOTLINE.contact  # 1-833-TLC-MAMA (1-833-852-6262)
ENGLISH = "en"


@dataclass(frozen=True)
class Wording:
    subject: str  # discreet: it shows on lock screens, so it names no practice and no condition
    heading: str
    referred_to: str  # {practice}
    within_routine: str
    within_urgent: str
    calls_you: str  # {within}
    calls_from: str  # {phone}
    no_phone: str
    crisis_heading: str
    crisis_988: str
    crisis_hotline: str  # {hotline}


WORDINGS = {
    ENGLISH: Wording(
        subject="Your referral: what happens next",
        heading="What happens next",
        referred_to="Your care team has referred you to {practice}.",
        # The room's words (domain/messages.py): what the clinician says, she reads.
        within_routine=WITHIN_ROUTINE,
        within_urgent=WITHIN_URGENT,
        calls_you="They will call you {within} to set up your first visit.",
        calls_from="They will call from {phone}. Save this number so you know it is them.",
        no_phone="If you have not heard from them by then, call your care team.",
        crisis_heading="If you are ever in crisis",
        crisis_988="Call or text 988, any time, day or night.",
        crisis_hotline=(
            "National Maternal Mental Health Hotline: call or text {hotline}. "
            "Free and confidential, any time."
        ),
    ),
    "es": Wording(
        subject="Su referido: qué pasa ahora",
        heading="Qué pasa ahora",
        referred_to="Su equipo de atención la ha referido a {practice}.",
        within_routine="dentro de 1 día hábil",
        within_urgent="en unas pocas horas hábiles",
        calls_you="Le llamarán {within} para programar su primera cita.",
        calls_from="Le llamarán desde el {phone}. Guarde este número para saber que son ellos.",
        no_phone="Si no sabe nada de ellos para entonces, llame a su equipo de atención.",
        crisis_heading="Si alguna vez está en crisis",
        crisis_988="Llame o envíe un texto al 988, a cualquier hora, de día o de noche. "
        "Hay ayuda en español.",
        crisis_hotline=(
            "Línea Nacional de Salud Mental Materna: llame o envíe un texto al {hotline}. "
            "Gratis y confidencial, a cualquier hora."
        ),
    ),
}


@dataclass(frozen=True)
class PatientPanel:
    language: str  # the language it is written in (hers, or English when it is not offered)
    subject: str
    heading: str
    lines: tuple[str, ...]  # who, when, from which number
    crisis_heading: str
    crisis: tuple[str, ...]  # 988 first

    def email(self) -> tuple[str, str]:
        """(subject, body) for an email, in plain ASCII like her confirmation's."""
        body = "\n\n".join([*self.lines, self.crisis_heading + ":\n" + "\n".join(self.crisis)])
        return plain_ascii(self.subject), plain_ascii(body + "\n")

    def sms(self) -> str:
        """The panel for a text message: the same sentences in plain ASCII, since one character
        outside the GSM-7 alphabet cuts each segment from 160 to 70 characters."""
        return plain_ascii(" ".join([*self.lines, *self.crisis]))


def spoken_language(tag: str | None) -> str:
    """The offered language for a BCP 47 tag ('es-MX' -> 'es'); English when not offered."""
    primary = (tag or "").split("-")[0].lower()
    return primary if primary in WORDINGS else ENGLISH


def patient_panel(
    practice_name: str, phone: str | None, urgent: bool, language: str | None
) -> PatientPanel:
    spoken = spoken_language(language)
    w = WORDINGS[spoken]
    within = w.within_urgent if urgent else w.within_routine
    lines = (
        w.referred_to.format(practice=practice_name),
        w.calls_you.format(within=within),
        w.calls_from.format(phone=phone) if phone else w.no_phone,
    )
    crisis = (w.crisis_988, w.crisis_hotline.format(hotline=HOTLINE))
    return PatientPanel(spoken, w.subject, w.heading, lines, w.crisis_heading, crisis)


def plain_ascii(text: str) -> str:
    """What she is sent is plain ASCII: a text message stays in the GSM-7 alphabet and nothing
    turns to mojibake in an old mail client. Accents are dropped (Spanish reads well without
    them), and anything else outside ASCII too."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode()
