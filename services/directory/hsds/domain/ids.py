"""Stable HSDS identifiers: every ``id`` in HSDS 3.x is a UUID, ours are readable strings.

``hsds_id(kind, our_id)`` is a UUIDv5 of ``"{kind}/{our_id}"`` in a namespace fixed for Warmlink,
so the same listing always exports under the same UUID (consumers can diff two exports), and
the same string id under two kinds ("bloom-therapy" the organization, "bloom-therapy" a
location) never collides. The mapping is one-way: keep ``our_id`` if you need to come back.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://warmlink.example.org/hsds/3.1")
"""Never change this: every exported UUID is derived from it."""

KINDS = frozenset(
    {
        "organization",
        "service",
        "location",
        "service_at_location",
        "address",
        "phone",
        "schedule",
        "language",
        "service_area",
        "cost_option",
        "funding",
        "service_capacity",
        "unit",
        "attribute",
        "taxonomy_term",
        "taxonomy",
    }
)


def hsds_id(kind: str, our_id: str) -> str:
    """The HSDS UUID (lower-case, hyphenated) of the record ``our_id`` of HSDS type ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown HSDS record kind {kind!r}")
    if not our_id:
        raise ValueError("our_id must not be empty")
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{our_id}"))
