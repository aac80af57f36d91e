"""What each consumed event announces, and to whom: the issue's table of alerts, as code.

Practices' alerts link to the referral in the practice's inbox; the site coordinator's to the
referral or the screen in her site's pages. Pure."""

from __future__ import annotations

from contracts import (
    CapacityNearingStale,
    GateAlertRaised,
    PositiveScreenEscalated,
    ReferralSubmitted,
    SlaBreached,
    UrgentAcknowledgementOverdue,
)
from contracts.codes import EscalationLevel, Urgency
from services.portal.domain.alerts import INTAKE, SITE_COORDINATOR, AlertKind, Notice


def for_referral_submitted(event: ReferralSubmitted) -> list[Notice]:
    """A new referral, to the practice's intake staff; an urgent one goes at once."""
    urgent = event.urgency is Urgency.URGENT
    return [
        Notice(
            AlertKind.NEW_REFERRAL, urgent, event.practice_id, INTAKE, event.site_id,
            f"/inbox/{event.referral_id}",
        )
    ]  # fmt: skip


def for_urgent_acknowledgement_overdue(event: UrgentAcknowledgementOverdue) -> list[Notice]:
    """An urgent referral not acknowledged in the practice's first business hours reaches the
    practice's intake staff and the referring site's coordinator."""
    kind = AlertKind.URGENT_NOT_ACKNOWLEDGED
    return [
        Notice(
            kind, True, event.practice_id, INTAKE, event.practice_id,
            f"/inbox/{event.referral_id}",
        ),
        Notice(
            kind, True, event.site_id, SITE_COORDINATOR, event.practice_id,
            f"/referrals/{event.referral_id}",
        ),
    ]  # fmt: skip


def for_sla_breached(event: SlaBreached) -> list[Notice]:
    """Any breach (an urgent acknowledgement's too: its early alert went already), to the site's
    coordinator."""
    return [
        Notice(
            AlertKind.SLA_BREACH, event.urgent, event.site_id, SITE_COORDINATOR,
            event.practice_id, f"/referrals/{event.referral_id}",
        )
    ]  # fmt: skip


def for_gate_alert_raised(event: GateAlertRaised) -> list[Notice]:
    return [
        Notice(
            AlertKind.GATE_AT_RISK, event.urgent, event.site_id, SITE_COORDINATOR,
            event.practice_id, f"/referrals/{event.referral_id}",
        )
    ]  # fmt: skip


def for_positive_screen_escalated(event: PositiveScreenEscalated) -> list[Notice]:
    """The site's coordinator hears of a screen nobody referred; the network's escalation level
    is the network coordinators' worklist, not an alert of this kind."""
    if event.level is not EscalationLevel.SITE_COORDINATOR:
        return []
    return [
        Notice(
            AlertKind.UNREFERRED_SCREEN, event.urgent, event.site_id, SITE_COORDINATOR,
            event.site_id, f"/screens/{event.screening_id}",
        )
    ]  # fmt: skip


def for_capacity_nearing_stale(event: CapacityNearingStale) -> list[Notice]:
    """The practice's listing will soon be shown as stale: its intake staff confirm capacity."""
    return [
        Notice(
            AlertKind.LISTING_NEARLY_STALE, False, event.practice_id, INTAKE, event.practice_id,
            "/capacity",
        )
    ]  # fmt: skip
