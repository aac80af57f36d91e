"""A person's alert choices: read and saved for herself only; the network's administrators also
read the deliveries that are failing across the network. Each function runs in the caller's
transaction, never commits and never speaks HTTP."""

from __future__ import annotations

from typing import Any

from services.portal.adapters import alert_choices, alerts
from services.portal.domain.alert_choices import Choices
from services.portal.domain.people import Person
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.roles import PersonRole


def sees_network_failures(person: Person) -> bool:
    return person.role is PersonRole.NETWORK_ADMIN


async def choices_of(conn: Connection, keyring: Keyring, person: Person, zone: str) -> Choices:
    return await alert_choices.of_person(conn, keyring, person.id, zone)


async def choose_alerts(conn: Connection, keyring: Keyring, person: Person, c: Choices) -> None:
    await alert_choices.save(conn, keyring, person.id, c)


async def recent_alerts(conn: Connection, person: Person) -> list[dict[str, Any]]:
    return await alerts.recent_of(conn, person.id)


async def failing_alerts(conn: Connection, person: Person) -> list[dict[str, Any]]:
    """Every organization's failing deliveries, for the network's administrators only."""
    return await alerts.failing(conn) if sees_network_failures(person) else []
