"""Warmlink's versioned integration events: payloads, envelope, registry and topic table.

Producers ``wrap`` a payload and ``encode`` the envelope; consumers ``decode`` the record value
and get the typed payload with ``payload_of``. See README.md for the topic table and the rules
for evolving an event.
"""

from __future__ import annotations

from contracts.base import EventPayload
from contracts.envelope import (
    Envelope,
    UndecodableEvent,
    decode,
    encode,
    new_event_id,
    payload_of,
    wrap,
)

# Every event payload is importable from `contracts` itself; their list is kept once, in events.
from contracts.events import *  # noqa: F403
from contracts.events import __all__ as _event_names

__all__ = [
    *_event_names,
    "Envelope",
    "EventPayload",
    "UndecodableEvent",
    "decode",
    "encode",
    "new_event_id",
    "payload_of",
    "wrap",
]
