"""Her status page, in her language (docs/domain.md "Her status page"). Pure: the referral
service's facts (practice name, status key, appointment, language) in, the page's sentences out,
from the same patient catalogs as her messages (warmlink/locale), with the crisis lines.

Nothing else reaches the page: no name, no clinical detail, no referral id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts import resources
from warmlink.patient_words import ENGLISH, PatientWords, patient_words

HOTLINE = resources.MATERNAL_MENTAL_HEALTH_HOTLINE.contact


@dataclass(frozen=True)
class StatusPage:
    language: str
    title: str
    practice: str  # "Referred to Bloom Perinatal Therapy"
    status: str  # where it stands, in plain words
    appointment_heading: str
    appointment: tuple[tuple[str, str], ...]  # (label, value): when, with whom, where / how
    crisis_heading: str
    crisis: tuple[str, ...]  # 988 first


def status_page(facts: dict[str, Any], words: PatientWords | None = None) -> StatusPage:
    words = words or patient_words()
    language = words.spoken(facts.get("language"))
    practice = str(facts["practice_name"])
    status = words.text(language, f"status.{facts['status']}", practice=practice)
    return StatusPage(
        language=language,
        title=words.text(language, "status.title"),
        practice=words.text(language, "status.practice", practice=practice),
        status=status,
        appointment_heading=words.text(language, "status.appointment_heading"),
        appointment=_appointment(words, language, facts.get("appointment")),
        **_crisis(words, language),
    )


def _appointment(
    words: PatientWords, language: str, appointment: dict[str, Any] | None
) -> tuple[tuple[str, str], ...]:
    if not appointment:
        return ()
    at = datetime.fromisoformat(appointment["at"])
    rows = [("status.when", words.moment(language, at, appointment["time_zone"]))]
    rows += [
        (label, appointment[key])
        for label, key in (
            ("status.with", "clinician"),
            ("status.where", "location"),
            ("status.how_to_join", "telehealth_instructions"),
        )
        if appointment.get(key)
    ]
    return tuple((words.text(language, label), str(value)) for label, value in rows)


def _crisis(words: PatientWords, language: str) -> dict[str, Any]:
    return {
        "crisis_heading": words.text(language, "panel.crisis_heading"),
        "crisis": (
            words.text(language, "panel.crisis_988"),
            words.text(language, "panel.crisis_hotline", hotline=HOTLINE),
        ),
    }


@dataclass(frozen=True)
class NoPage:
    """What an unknown, expired or refused link shows: the same for all, in every language
    (hers is not known), with the crisis lines: no practice, no status."""

    languages: tuple[dict[str, Any], ...]


def no_page(words: PatientWords | None = None) -> NoPage:
    words = words or patient_words()
    ordered = [ENGLISH, *(lang for lang in words.languages if lang != ENGLISH)]
    return NoPage(
        tuple(
            {
                "language": lang,
                "missing": words.text(lang, "status.missing"),
                "slow_down": words.text(lang, "status.slow_down"),
                **_crisis(words, lang),
            }
            for lang in ordered
        )
    )
