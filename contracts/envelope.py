"""The envelope every event travels in, and its wire encoding.

An envelope names the event (type, version), when and by whom it happened, its Kafka key
(subject) and its place in a causal chain (correlation and causation ids). Decoding errors carry a
short reason naming field paths only: error text goes to logs and the dead-letter topic, so it must
never echo a value.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from contracts.base import EventPayload
from contracts.registry import event_class

_MAX_REASON_ERRORS = 5
_uuid7_lock = threading.Lock()
_uuid7_last_ms = 0
_uuid7_counter = 0


def new_event_id() -> UUID:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, 12-bit counter, variant, random.

    Ids are strictly increasing within a process: the 12-bit ``rand_a`` field is a counter
    (RFC 9562 section 6.2, method 1) seeded at random each millisecond with its top bit clear,
    and when it overflows the timestamp is advanced by one millisecond.
    """
    global _uuid7_last_ms, _uuid7_counter
    with _uuid7_lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _uuid7_last_ms:
            _uuid7_last_ms = now_ms
            _uuid7_counter = int.from_bytes(os.urandom(2)) & 0x7FF
        else:
            # Same millisecond (or the clock stepped back): keep order by counting on.
            _uuid7_counter += 1
            if _uuid7_counter > 0xFFF:
                _uuid7_last_ms += 1
                _uuid7_counter = 0
        unix_ms, counter = _uuid7_last_ms, _uuid7_counter
    rand_b = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    value = (unix_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand_b
    return UUID(int=value)


class Envelope(BaseModel):
    """Metadata around one event's ``data``; the encoded envelope is the Kafka record value."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID = Field(description="UUIDv7, unique per event; consumers dedupe on it.")
    type: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*$", max_length=64)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(description="When the fact happened, in UTC.")
    producer: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64, description="Service.")
    subject: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        max_length=64,
        description="Kafka key: the referral, screening or practice id.",
    )
    correlation_id: UUID = Field(description="Id shared by every event of one business flow.")
    causation_id: UUID | None = Field(default=None, description="event_id of the cause, if any.")
    data: dict[str, Any] = Field(description="The payload; its schema is given by type+version.")

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class UndecodableEvent(Exception):
    """A record that cannot be turned into a known event; ``reason`` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def wrap(
    payload: EventPayload,
    *,
    producer: str,
    correlation_id: UUID | None = None,
    causation: Envelope | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Put a payload in a new envelope, continuing the causal chain of ``causation`` if given."""
    event_id = new_event_id()
    if correlation_id is None:
        correlation_id = causation.correlation_id if causation is not None else event_id
    return Envelope(
        event_id=event_id,
        type=payload.TYPE,
        version=payload.VERSION,
        occurred_at=occurred_at if occurred_at is not None else datetime.now(UTC),
        producer=producer,
        subject=payload.subject(),
        correlation_id=correlation_id,
        causation_id=causation.event_id if causation is not None else None,
        data=payload.model_dump(mode="json"),
    )


def encode(envelope: Envelope) -> bytes:
    """Compact UTF-8 JSON."""
    return envelope.model_dump_json().encode("utf-8")


def decode(raw: bytes | None) -> Envelope:
    """Parse a record value into an envelope, or raise UndecodableEvent."""
    if raw is None:
        raise UndecodableEvent("empty record value (tombstone)")
    try:
        document = json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        raise UndecodableEvent("record value is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise UndecodableEvent(f"envelope is not a JSON object (got {type(document).__name__})")
    try:
        return Envelope.model_validate(document)
    except ValidationError as error:
        raise UndecodableEvent(f"invalid envelope: {_where(error)}") from None


def payload_of(envelope: Envelope) -> EventPayload:
    """Validate the envelope's data against the registered payload class of its type+version."""
    try:
        cls = event_class(envelope.type, envelope.version)
    except KeyError:
        raise UndecodableEvent(f"unknown event type {envelope.type} v{envelope.version}") from None
    try:
        return cls.model_validate(envelope.data)
    except ValidationError as error:
        reason = f"invalid {envelope.type} v{envelope.version} data: {_where(error)}"
        raise UndecodableEvent(reason) from None


def _where(error: ValidationError) -> str:
    """Field paths and error kinds only: pydantic's messages and inputs may contain values."""
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or '(root)'} ({item['type']})"
        for item in error.errors(include_input=False, include_url=False)
    ]
    more = len(problems) - _MAX_REASON_ERRORS
    shown = "; ".join(problems[:_MAX_REASON_ERRORS])
    return f"{shown}; and {more} more" if more > 0 else shown
