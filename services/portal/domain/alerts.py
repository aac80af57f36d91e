"""Alerts that reach people: which kinds there are, who gets each, and when it may be sent.

An alert carries no PHI: its kind, the organization it is about and a link to sign in. Each
person chooses a channel per kind (email, SMS or none), quiet hours in her own time zone (an
urgent alert ignores them) and whether the alerts that are not urgent come as one daily digest.
Pure: the service layer loads the people and stores what `decide` returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from warmlink.roles import PersonRole


class AlertKind(StrEnum):
    NEW_REFERRAL = "new_referral"
    URGENT_NOT_ACKNOWLEDGED = "urgent_not_acknowledged"
    UNREFERRED_SCREEN = "unreferred_screen"
    SLA_BREACH = "sla_breach"
    GATE_AT_RISK = "gate_at_risk"
    LISTING_NEARLY_STALE = "listing_nearly_stale"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    NONE = "none"


@dataclass(frozen=True)
class KindText:
    label: str  # the kind, as a person reads it in a subject line and on the page
    who: str  # who receives it, for the preferences page
    about: str  # what the organization named is: "from riverside-ob", "at lantern-telehealth"


KINDS: dict[AlertKind, KindText] = {
    AlertKind.NEW_REFERRAL: KindText("New referral", "Your practice's intake coordinators", "from"),
    AlertKind.URGENT_NOT_ACKNOWLEDGED: KindText(
        "Urgent referral not acknowledged",
        "The practice's intake coordinators and the referring site's coordinator",
        "at",
    ),
    AlertKind.UNREFERRED_SCREEN: KindText(
        "Positive screen not referred", "Your site's coordinator", "at"
    ),
    AlertKind.SLA_BREACH: KindText("Warm handoff deadline missed", "Your site's coordinator", "at"),
    AlertKind.GATE_AT_RISK: KindText(
        "Patient may leave without an appointment", "Your site's coordinator", "at"
    ),
    AlertKind.LISTING_NEARLY_STALE: KindText(
        "Capacity to confirm soon", "Your practice's intake coordinators", "for"
    ),
}


INTAKE = frozenset({PersonRole.INTAKE_COORDINATOR})
SITE_COORDINATOR = frozenset({PersonRole.SITE_COORDINATOR})
# Who receives each kind (alert_notices.py sends them so): her page offers her kinds only.
RECEIVED_BY: dict[AlertKind, frozenset[PersonRole]] = {
    AlertKind.NEW_REFERRAL: INTAKE,
    AlertKind.URGENT_NOT_ACKNOWLEDGED: INTAKE | SITE_COORDINATOR,
    AlertKind.UNREFERRED_SCREEN: SITE_COORDINATOR,
    AlertKind.SLA_BREACH: SITE_COORDINATOR,
    AlertKind.GATE_AT_RISK: SITE_COORDINATOR,
    AlertKind.LISTING_NEARLY_STALE: INTAKE,
}


def kinds_for(role: PersonRole) -> list[AlertKind]:
    return [kind for kind, roles in RECEIVED_BY.items() if role in roles]


@dataclass(frozen=True)
class Notice:
    """What an event announces to one audience: the people of `audience` in `roles`."""

    kind: AlertKind
    urgent: bool
    audience: str  # the organization whose people receive it
    roles: frozenset[PersonRole]
    about: str  # the organization the alert names
    link: str  # a path of the portal


@dataclass(frozen=True)
class QuietHours:
    """Local times; `start` after `until` runs over midnight (22:00 to 07:00)."""

    start: time
    until: time

    def holds(self, local: time) -> bool:
        if self.start == self.until:
            return False
        if self.start < self.until:
            return self.start <= local < self.until
        return local >= self.start or local < self.until


@dataclass(frozen=True)
class Recipient:
    """A person of the audience, with her choices (no row of choices: email, no quiet hours)."""

    person_id: UUID
    role: PersonRole
    channels: dict[AlertKind, Channel]
    quiet: QuietHours | None
    zone: ZoneInfo
    digest: bool
    has_phone: bool

    def channel(self, kind: AlertKind) -> Channel:
        chosen = self.channels.get(kind, Channel.EMAIL)
        # An SMS with no number to send it to would be lost: it goes by email instead.
        return Channel.EMAIL if chosen is Channel.SMS and not self.has_phone else chosen


@dataclass(frozen=True)
class Alert:
    person_id: UUID
    kind: AlertKind
    about: str
    link: str
    urgent: bool
    channel: Channel
    digest: bool
    due_at: datetime


def _next_local(now: datetime, zone: ZoneInfo, at: time) -> datetime:
    """The first instant after `now` whose local time is `at`. A time that falls into a
    daylight-saving gap is read with the offset before it (PEP 495), so it lands the gap's
    length later (02:30 on a spring-forward night is 03:30): never earlier than asked."""
    local = now.astimezone(zone)
    day = local.date() if local.time() < at else local.date() + timedelta(days=1)
    return datetime.combine(day, at, zone).astimezone(UTC)


def held_until(now: datetime, recipient: Recipient, urgent: bool) -> datetime:
    """When an alert may go: now when urgent or outside her quiet hours, else when they end."""
    quiet = recipient.quiet
    if urgent or quiet is None or not quiet.holds(now.astimezone(recipient.zone).time()):
        return now
    return _next_local(now, recipient.zone, quiet.until)


def digest_due(now: datetime, recipient: Recipient, digest_at: time) -> datetime:
    """Her next digest: `digest_at` local time, put off past her quiet hours."""
    at = _next_local(now, recipient.zone, digest_at)
    return held_until(at, recipient, urgent=False)


def decide(
    notice: Notice, recipients: list[Recipient], now: datetime, digest_at: time
) -> list[Alert]:
    """One alert per person of the audience in its roles who did not choose none for its kind."""
    alerts = []
    for r in recipients:
        channel = r.channel(notice.kind)
        if r.role not in notice.roles or channel is Channel.NONE:
            continue
        digest = r.digest and not notice.urgent and channel is Channel.EMAIL
        due = digest_due(now, r, digest_at) if digest else held_until(now, r, notice.urgent)
        alerts.append(
            Alert(
                r.person_id, notice.kind, notice.about, notice.link, notice.urgent, channel,
                digest, due,
            )
        )  # fmt: skip
    return alerts
