"""What she hears at the end of a warm handoff, written for her and in her language: the panel the
medical assistant turns toward her, and the same words sent to her phone or inbox.

One wording for both, so what she reads on the screen and what she keeps are the same. Pure:
the sentences are the patient catalogs' (`panel.*`, warmlink/locale), static text shipped with
the code. The words name the practice, when it will call, the number it calls from and the
crisis lines; never her name, her screen or anything clinical.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

from contracts import resources
from warmlink.patient_words import ENGLISH, patient_words

HOTLINE = resources.MATERNAL_MENTAL_HEALTH_HOTLINE.contact  # 1-833-TLC-MAMA (1-833-852-6262)
if TYPE_CHECKING:
    from _typeshed import DataclassInstance

W = TypeVar("W", bound="DataclassInstance")


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


def wordings(cls: type[W], prefix: str) -> dict[str, W]:
    """One wording per offered language, read from the patient catalogs (`<prefix>.<field>`;
    warmlink/patient_words.py): static text shipped with the code, read once."""
    words = patient_words()
    return {
        language: cls(
            **{f.name: words.template(language, f"{prefix}.{f.name}") for f in fields(cls)}
        )
        for language in words.languages
    }


WORDINGS = wordings(Wording, "panel")


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
