"""Structured JSON logs that carry identifiers, never patient details.

Every record goes through `scrub`, which replaces the value of any field whose name looks like
PHI. That is a safety net, not a licence: code logs ids, codes and counts only.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

PHI_FIELD = re.compile(
    r"(^|_)(name|surname|first|last|given|family|phone|telephone|mobile|email|address|street"
    r"|zip|postal|birth|birthdate|dob|ssn|mrn|note|notes|comment|text|contact)($|_)",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
REDACTED = "[redacted]"
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


_DROP = ("color_message",)


def _looks_like_phi(key: str) -> bool:
    """`patientName`, `birthDate`, `phone_number`: camelCase is split into words first."""
    return PHI_FIELD.search(_CAMEL.sub("_", key)) is not None


def scrub(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in _DROP:
        event.pop(key, None)
    for key in list(event):
        if key not in ("event", "logger", "level") and _looks_like_phi(key):
            event[key] = REDACTED
    return event


def _extras(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Lift `extra={...}` fields of stdlib log records into the JSON object."""
    record = event.get("_record")
    if record is not None:
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                event.setdefault(key, value)
    return event


def configure(service: str, level: str = "INFO", fmt: str = "json") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )

    def add_service(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event.setdefault("service", service)
        return event

    shared: list[Any] = [
        add_service,
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.EventRenamer("message"),
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _extras],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            scrub,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
