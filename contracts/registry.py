"""Lookup of payload classes by (type, version), the pair every envelope carries."""

from __future__ import annotations

from contracts.base import EventPayload
from contracts.events import ALL_EVENTS


def _build(classes: tuple[type[EventPayload], ...]) -> dict[tuple[str, int], type[EventPayload]]:
    table: dict[tuple[str, int], type[EventPayload]] = {}
    for cls in classes:
        key = (cls.TYPE, cls.VERSION)
        if key in table:
            # Two classes claiming one (type, version) would make decoding ambiguous.
            raise RuntimeError(f"duplicate event {cls.TYPE} v{cls.VERSION}")
        table[key] = cls
    return table


EVENTS: dict[tuple[str, int], type[EventPayload]] = _build(ALL_EVENTS)


def event_class(type_: str, version: int) -> type[EventPayload]:
    """The payload class for an event type and version; KeyError if there is none."""
    return EVENTS[(type_, version)]
