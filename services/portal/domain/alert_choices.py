"""A person's alert choices, as the /alerts form sends them: a channel per kind, quiet hours,
her time zone, the daily digest and her own work number for SMS. Pure: `read` turns the form
into choices, or into errors beside the fields (what she typed is shown again)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from services.portal.domain.alerts import KINDS, AlertKind, Channel

# A work number in international or North American form: digits, spaces, dashes, dots,
# brackets and a leading +; 10 to 15 digits in all.
PHONE = re.compile(r"^\+?[0-9 ().-]{10,22}$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


@dataclass(frozen=True)
class Choices:
    channels: dict[AlertKind, Channel]
    quiet_from: time | None
    quiet_until: time | None
    time_zone: str
    digest: bool
    phone: str | None  # her own work number, normalised to digits (and a leading +)


def field(kind: AlertKind) -> str:
    return f"channel_{kind.value}"


def _time(text: str) -> time | None:
    found = TIME.match(text.strip())
    return time(int(found.group(1)), int(found.group(2))) if found else None


def _phone(text: str) -> str | None:
    if not PHONE.match(text.strip()):
        return None
    digits = re.sub(r"[^0-9]", "", text)
    if not 10 <= len(digits) <= 15:
        return None
    return ("+" if text.strip().startswith("+") else "") + digits


def read(form: dict[str, str]) -> tuple[Choices | None, dict[str, str]]:
    errors: dict[str, str] = {}
    channels: dict[AlertKind, Channel] = {}
    for kind in KINDS:
        try:
            channels[kind] = Channel(form.get(field(kind), Channel.EMAIL.value))
        except ValueError:
            errors[field(kind)] = "Choose email, SMS or none."
    start, until = form.get("quiet_from", "").strip(), form.get("quiet_until", "").strip()
    quiet_from, quiet_until = _time(start), _time(until)
    if start and quiet_from is None:
        errors["quiet_from"] = "Enter a time as hours and minutes, such as 21:00."
    if until and quiet_until is None:
        errors["quiet_until"] = "Enter a time as hours and minutes, such as 07:00."
    if bool(start) != bool(until) and not errors.keys() & {"quiet_from", "quiet_until"}:
        missing = "quiet_until" if start else "quiet_from"
        errors[missing] = "Enter both times, or neither for no quiet hours."
    zone = form.get("time_zone", "").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = "Choose a time zone from the list."
    phone_text = form.get("phone", "").strip()
    phone = _phone(phone_text) if phone_text else None
    if phone_text and phone is None:
        errors["phone"] = "Enter a phone number of 10 to 15 digits, such as 312-555-0100."
    elif phone is None and Channel.SMS in channels.values():
        errors["phone"] = "Enter your work number to receive alerts by SMS, or choose email."
    if errors:
        return None, errors
    digest = form.get("digest") == "yes"
    return Choices(channels, quiet_from, quiet_until, zone, digest, phone), {}
