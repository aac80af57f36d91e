"""A person's alert choices, stored: one row of settings (her work number sealed, bound to her
row) and one row per kind she chose a channel for."""

from __future__ import annotations

from uuid import UUID

from services.portal.domain.alert_choices import Choices
from services.portal.domain.alerts import AlertKind, Channel
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Connection

SETTINGS_OF = "SELECT * FROM alert_settings WHERE person_id = $1"
CHOICES_OF = "SELECT kind, channel FROM alert_choices WHERE person_id = $1"
SAVE_SETTINGS = """
INSERT INTO alert_settings (person_id, quiet_from, quiet_until, time_zone, digest, phone)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (person_id) DO UPDATE SET quiet_from = $2, quiet_until = $3, time_zone = $4,
    digest = $5, phone = $6"""
SAVE_CHOICES = """
INSERT INTO alert_choices (person_id, kind, channel)
SELECT $1, * FROM unnest($2::text[], $3::text[])
ON CONFLICT (person_id, kind) DO UPDATE SET channel = excluded.channel"""


def phone_bound_to(person_id: object) -> bytes:
    """A sealed number opens in its own person's row only."""
    return f"alert_settings.phone:{person_id}".encode()


async def of_person(
    conn: Connection, keyring: Keyring, person_id: UUID, default_zone: str
) -> Choices:
    """What she chose; what she has not chosen yet is email, no quiet hours, no digest."""
    row = await conn.fetchrow(SETTINGS_OF, person_id)
    chosen = {r["kind"]: r["channel"] for r in await conn.fetch(CHOICES_OF, person_id)}
    channels = {k: Channel(chosen.get(k.value, Channel.EMAIL.value)) for k in AlertKind}
    if row is None:
        return Choices(channels, None, None, default_zone, False, None)
    phone = None
    if row["phone"] is not None:
        try:
            phone = keyring.open(bytes(row["phone"]), phone_bound_to(person_id)).decode()
        except CannotOpen:
            phone = None  # shown empty: she types it again
    return Choices(
        channels, row["quiet_from"], row["quiet_until"], row["time_zone"], row["digest"], phone
    )


async def save(conn: Connection, keyring: Keyring, person_id: UUID, choices: Choices) -> None:
    sealed = (
        keyring.seal(choices.phone.encode(), phone_bound_to(person_id)) if choices.phone else None
    )
    await conn.execute(
        SAVE_SETTINGS, person_id, choices.quiet_from, choices.quiet_until, choices.time_zone,
        choices.digest, sealed,
    )  # fmt: skip
    kinds = list(choices.channels)
    await conn.execute(
        SAVE_CHOICES,
        person_id,
        [k.value for k in kinds],
        [choices.channels[k].value for k in kinds],
    )
