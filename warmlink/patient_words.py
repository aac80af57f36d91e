"""The words the network says to a patient, in her language: one gettext catalog per language,
`warmlink/locale/<language>/LC_MESSAGES/patient.po`, read with Babel.

One place for both readers: the referral service writes her messages with them and the portal
her status page, so what the page says and what she was sent never differ. The catalogs are
read as .po when first used, not compiled to .mo at build: there is no step to forget, and
adding a language is adding its folder and file.

Each msgid names what the sentence is for (`appointment.booked`), not its English text, so a
sentence missing from a catalog is found, not quietly shown in English: every catalog must hold
every key of the English one, with the same `{placeholders}`, or loading fails loudly
(`IncompleteCatalog`). A language that is not offered falls back to English.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "patient"
ENGLISH = "en"


class IncompleteCatalog(ValueError):
    """A catalog lacks sentences of the English one, or changed their placeholders."""


def read_catalogs(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, str]]:
    """Every language's sentences by key, as its .po file holds them (fuzzy ones left out:
    a translator's guess is not a translation)."""
    catalogs = {}
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po.parent.parent.name
        with po.open("rb") as f:
            catalog = read_po(f, locale=language)
        catalogs[language] = {
            str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy
        }
    return catalogs


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def missing(catalogs: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What each catalog lacks against the English one: `es: check.asked` (no sentence) or
    `es: check.asked placeholders differ: {phone}` (one dropped or added). Empty when every
    language is complete."""
    english = catalogs.get(ENGLISH, {})
    problems = [] if english else [f"{ENGLISH}: no catalog"]
    for language, texts in sorted(catalogs.items()):
        for key, text in english.items():
            if key not in texts:
                problems.append(f"{language}: {key}")
            elif differ := _placeholders(texts[key]) ^ _placeholders(text):
                names = ", ".join(sorted(differ))
                problems.append(f"{language}: {key} placeholders differ: {{{names}}}")
    return problems


class PatientWords:
    """The catalogs, checked complete. `text(language, key, **values)` fills one sentence."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]]) -> None:
        problems = missing(catalogs)
        if problems:
            raise IncompleteCatalog("patient catalogs incomplete: " + "; ".join(problems))
        self._catalogs = catalogs

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._catalogs))

    def spoken(self, tag: str | None) -> str:
        """The offered language for a BCP 47 tag ('es-MX' -> 'es'); English when not offered."""
        primary = (tag or "").split("-")[0].lower()
        return primary if primary in self._catalogs else ENGLISH

    def text(self, language: str, key: str, **values: str) -> str:
        """One sentence in `language` (English if it is not offered). An unknown key is a
        KeyError: a typo in the code fails its test, never sends a key to a patient."""
        return self.template(language, key).format(**values)

    def template(self, language: str, key: str) -> str:
        """The sentence with its `{placeholders}` unfilled, for a caller that fills it later."""
        return self._catalogs[self.spoken(language)][key]

    def moment(self, language: str, at: datetime, time_zone: str) -> str:
        """A date and time as she says it, in the practice's zone ('Tuesday, March 3 at 2:30 PM',
        'martes 3 de marzo a las 14:30'): the pattern is the catalog's `date.moment` (CLDR
        syntax), the day and month names Babel's for her language."""
        spoken = self.spoken(language)
        pattern = self.text(spoken, "date.moment")
        return format_datetime(at, pattern, tzinfo=ZoneInfo(time_zone), locale=spoken)


@cache
def patient_words() -> PatientWords:
    """The shipped catalogs, read once per process; an incomplete one fails at first use."""
    return PatientWords(read_catalogs())
