"""Her messages' delivery, as the site's referral page shows it (no address, no content: the
referral service never answers those). Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = {
    "confirmation": "Confirmation",
    "panel": "What she hears",
    "appointment": "Appointment",
    "reminder": "Day-before reminder",
    "check": "Has the practice reached you?",
}
STATES = {
    "pending": "Waiting to be sent",
    "sent": "Sent",
    "failed": "Failed",
    "moot": "Not sent: overtaken",
}
CHANNELS = {"email": "Email", "sms": "Text message"}


@dataclass(frozen=True)
class Delivery:
    message: str
    channel: str
    state: str
    when: str  # sent at, or due at while it waits


def deliveries(items: list[dict[str, Any]], local_time: Callable[[str], str]) -> list[Delivery]:
    return [
        Delivery(
            KINDS.get(i["kind"], i["kind"]),
            CHANNELS.get(i["channel"], i["channel"]),
            STATES.get(i["status"], i["status"]),
            local_time(i["sent_at"] or i["due_at"]),
        )
        for i in items
    ]
