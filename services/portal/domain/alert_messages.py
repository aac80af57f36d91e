"""The words of an alert: an email's subject and body, a digest, an SMS. They name the kind,
the organization and a link to sign in; nothing else is known to them (no patient name, phone or
free text ever reaches an alert). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from services.portal.domain.alerts import KINDS, AlertKind

SMS_LIMIT = 160  # one GSM-7 message


@dataclass(frozen=True)
class Sent:
    """What a stored alert says (its row, without the person)."""

    kind: AlertKind
    about: str
    link: str
    urgent: bool


def headline(alert: Sent) -> str:
    text = KINDS[alert.kind]
    urgent = "Urgent: " if alert.urgent and alert.kind is AlertKind.NEW_REFERRAL else ""
    return f"{urgent}{text.label} {text.about} {alert.about}"


def subject(alert: Sent) -> str:
    return f"Warmlink alert: {headline(alert)}"


def body(alert: Sent, base_url: str) -> str:
    base = base_url.rstrip("/")
    return (
        f"{headline(alert)}.\n\n"
        f"Sign in to see it: {base}{alert.link}\n\n"
        "This alert carries no patient details. You choose which alerts you receive, how and "
        f"when at {base}/alerts\n"
    )


def digest_subject(count: int) -> str:
    return f"Warmlink alerts: your daily digest ({count})"


def digest_body(alerts: list[Sent], base_url: str) -> str:
    base = base_url.rstrip("/")
    lines = [f"- {headline(a)}: {base}{a.link}" for a in alerts]
    return (
        "Your alerts since the last digest:\n\n"
        + "\n".join(lines)
        + f"\n\nThese alerts carry no patient details. Change your choices at {base}/alerts\n"
    )


def sms_text(alert: Sent, base_url: str) -> str:
    """Plain ASCII (a subset of GSM-7), cut to one message: the link is kept whole."""
    link = f" {base_url.rstrip('/')}{alert.link}"
    words = f"Warmlink: {headline(alert)}"
    return words[: SMS_LIMIT - len(link)] + link
