"""Structured JSON logs: service name and ids kept, PHI-looking fields redacted."""

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from warmlink import logs
from warmlink.logs import REDACTED, scrub


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """Undo `configure`: drop its handler, restore levels; pytest's own handlers are untouched."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "aiokafka", "kafka")}
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def last_json_line(text: str) -> dict[str, Any]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    line: dict[str, Any] = json.loads(lines[-1])
    return line


@pytest.mark.usefixtures("restore_root_logger")
def test_stdlib_record_becomes_one_json_line_with_ids_and_no_phi(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("svc")
    logging.getLogger("warmlink.test").info(
        "referral sent", extra={"patient_name": "Jane", "phone": "555", "referral_id": "r1"}
    )
    out = capsys.readouterr().out
    line = last_json_line(out)
    assert line["service"] == "svc"
    assert line["referral_id"] == "r1"
    assert line["message"] == "referral sent"
    assert line["level"] == "info"
    assert line["patient_name"] == REDACTED
    assert line["phone"] == REDACTED
    assert "Jane" not in out
    assert "555" not in out


@pytest.mark.usefixtures("restore_root_logger")
def test_level_filters_records_below_it(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("svc", level="WARNING")
    logging.getLogger("warmlink.test").info("quiet")
    logging.getLogger("warmlink.test").warning("loud")
    out = capsys.readouterr().out
    assert "quiet" not in out
    assert last_json_line(out)["message"] == "loud"


@pytest.mark.usefixtures("restore_root_logger")
def test_noisy_kafka_loggers_are_held_at_warning() -> None:
    logs.configure("svc", level="DEBUG")
    assert logging.getLogger("aiokafka").level == logging.WARNING


@pytest.mark.usefixtures("restore_root_logger")
def test_console_format_also_redacts(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("svc", fmt="console")
    logging.getLogger("warmlink.test").info("x", extra={"email": "jane@example.org"})
    out = capsys.readouterr().out
    assert "jane@example.org" not in out
    assert REDACTED in out


@pytest.mark.parametrize(
    "key",
    [
        "name",
        "patient_name",
        "first_name",
        "phone",
        "phone_number",
        "email",
        "home_address",
        "date_of_birth",
        "dob",
        "mrn",
        "notes",
        "free_text",
        "emergency_contact",
        "PATIENT_NAME",
    ],
)
def test_scrub_redacts_phi_looking_fields(key: str) -> None:
    assert scrub(None, "info", {"event": "e", key: "Jane"})[key] == REDACTED


@pytest.mark.parametrize("key", ["referral_id", "organization_id", "count", "status", "instrument"])
def test_scrub_keeps_identifier_and_count_fields(key: str) -> None:
    assert scrub(None, "info", {"event": "e", key: "r1"})[key] == "r1"


def test_scrub_never_touches_event_logger_or_level_and_drops_color_message() -> None:
    event = {"event": "note added", "logger": "name", "level": "info", "color_message": "x"}
    assert scrub(None, "info", dict(event)) == {
        "event": "note added",
        "logger": "name",
        "level": "info",
    }


@pytest.mark.parametrize("key", ["patientName", "birthDate", "surname", "telephone"])
def test_scrub_redacts_camel_case_and_compound_phi_keys(key: str) -> None:
    assert scrub(None, "info", {"event": "e", key: "Jane"})[key] == REDACTED
