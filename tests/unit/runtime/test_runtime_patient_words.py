"""The patient catalogs: every language holds every sentence of English with the same
placeholders, an incomplete catalog fails loudly, and a language is added by adding a catalog."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warmlink.patient_words import (
    LOCALE_DIR,
    IncompleteCatalog,
    PatientWords,
    missing,
    read_catalogs,
)


def test_the_shipped_catalogs_are_complete_and_offer_english_and_spanish() -> None:
    catalogs = read_catalogs()
    assert {"en", "es"} <= set(catalogs)
    assert missing(catalogs) == []
    assert set(catalogs["es"]) >= set(catalogs["en"])


def _copy_catalogs(tmp_path: Path) -> Path:
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    return tmp_path / "locale"


def _edit(locale: Path, language: str, old: str, new: str) -> None:
    po = locale / language / "LC_MESSAGES" / "patient.po"
    text = po.read_text()
    assert old in text
    po.write_text(text.replace(old, new, 1))


def test_a_catalog_missing_a_sentence_fails_loudly_naming_it(tmp_path: Path) -> None:
    locale = _copy_catalogs(tmp_path)
    _edit(locale, "es", 'msgid "check.asked"', 'msgid "check.renamed"')

    with pytest.raises(IncompleteCatalog, match=r"es: check\.asked"):
        PatientWords(read_catalogs(locale))


def test_a_translation_that_drops_a_placeholder_fails_loudly(tmp_path: Path) -> None:
    locale = _copy_catalogs(tmp_path)
    _edit(locale, "es", "Si no, llámeles al {phone}.", "Si no, llámeles.")

    with pytest.raises(IncompleteCatalog, match=r"es: check\.asked placeholders differ: \{phone\}"):
        PatientWords(read_catalogs(locale))


def test_adding_a_language_is_adding_a_catalog(tmp_path: Path) -> None:
    locale = _copy_catalogs(tmp_path)
    shutil.copytree(locale / "en", locale / "fr")
    _edit(locale, "fr", 'msgstr "Your appointment"', 'msgstr "Votre rendez-vous"')

    words = PatientWords(read_catalogs(locale))

    assert words.languages == ("en", "es", "fr")
    assert words.spoken("fr-CA") == "fr"
    assert words.text("fr", "appointment.subject") == "Votre rendez-vous"
    # Day and month names come from Babel's data for the language, not from the catalog.
    assert words.moment("fr", datetime(2026, 3, 3, 19, 30, tzinfo=UTC), "UTC").startswith("mardi")


def test_a_language_not_offered_falls_back_to_english() -> None:
    words = PatientWords(read_catalogs())
    assert words.spoken("vi") == "en"
    assert words.text("vi", "appointment.subject") == words.text("en", "appointment.subject")


def test_a_moment_is_said_in_her_language_in_the_practice_zone() -> None:
    words = PatientWords(read_catalogs())
    at = datetime(2026, 3, 3, 19, 30, tzinfo=UTC)  # 1:30 pm in Chicago (CST)
    assert words.moment("en", at, "America/Chicago") == "Tuesday, March 3 at 1:30 PM"
    assert words.moment("es-MX", at, "America/Chicago") == "martes 3 de marzo a las 13:30"
