"""Alerts' rules, pure: who receives what, quiet hours in her own time zone (urgent ignores
them), the daily digest, the words (no PHI, one SMS) and the preferences form."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from contracts import CapacityNearingStale, SlaBreached, UrgentAcknowledgementOverdue
from contracts.codes import SlaKind
from services.portal.domain import alert_choices, alert_messages, alert_notices
from services.portal.domain.alerts import (
    INTAKE,
    SITE_COORDINATOR,
    AlertKind,
    Channel,
    Notice,
    QuietHours,
    Recipient,
    decide,
    held_until,
    kinds_for,
)
from warmlink.roles import PersonRole

CHICAGO = ZoneInfo("America/Chicago")
DIGEST_AT = time(7, 0)
NIGHT = QuietHours(time(21, 0), time(7, 0))


def _person(
    role: PersonRole = PersonRole.INTAKE_COORDINATOR,
    quiet: QuietHours | None = NIGHT,
    zone: ZoneInfo = CHICAGO,
    digest: bool = False,
    has_phone: bool = False,
    **channels: Channel,
) -> Recipient:
    chosen = {AlertKind(k): v for k, v in channels.items()}
    return Recipient(uuid.uuid4(), role, chosen, quiet, zone, digest, has_phone)


def _new_referral(urgent: bool) -> Notice:
    return Notice(AlertKind.NEW_REFERRAL, urgent, "lantern", INTAKE, "riverside-ob", "/inbox/x")


def test_quiet_hours_over_midnight_hold_late_evening_and_early_morning_only() -> None:
    assert NIGHT.holds(time(23, 30)) and NIGHT.holds(time(0, 0)) and NIGHT.holds(time(6, 59))
    assert not NIGHT.holds(time(7, 0)) and not NIGHT.holds(time(12, 0))
    assert not NIGHT.holds(time(20, 59)) and NIGHT.holds(time(21, 0))
    day = QuietHours(time(12, 0), time(13, 0))
    assert day.holds(time(12, 30)) and not day.holds(time(13, 0)) and not day.holds(time(11, 0))
    assert not QuietHours(time(9, 0), time(9, 0)).holds(time(9, 0)), "equal times: none"


def test_an_alert_in_her_quiet_hours_waits_until_they_end_in_her_time_zone() -> None:
    # 03:00 UTC on 10 March 2026 is 22:00 the evening before in Chicago (CDT starts 8 March).
    now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    person = _person()
    assert held_until(now, person, urgent=False) == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    # The same instant is 04:00 in London: quiet too, ending at 07:00 London (GMT).
    london = _person(zone=ZoneInfo("Europe/London"))
    assert held_until(now, london, urgent=False) == datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
    # Noon in Chicago: outside quiet hours, it goes now.
    noon = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert held_until(noon, person, urgent=False) == noon


def test_urgent_alerts_ignore_quiet_hours() -> None:
    now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 22:00 in Chicago
    (urgent,) = decide(_new_referral(True), [_person()], now, DIGEST_AT)
    (routine,) = decide(_new_referral(False), [_person()], now, DIGEST_AT)
    assert urgent.due_at == now and urgent.urgent
    assert routine.due_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_quiet_hours_ending_in_a_daylight_saving_gap_end_the_gap_later() -> None:
    # 8 March 2026, Chicago: 02:00 CST jumps to 03:00 CDT. Quiet until 02:30 (which that night
    # does not exist) ends at 02:30 CST, which is 03:30 CDT: later, never earlier.
    now = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 01:00 CST
    person = _person(quiet=QuietHours(time(22, 0), time(2, 30)))
    assert held_until(now, person, urgent=False) == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)


def test_only_her_roles_receive_and_none_means_none() -> None:
    now = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    intake = _person()
    clinician = _person(role=PersonRole.CLINICIAN)
    silent = _person(new_referral=Channel.NONE)
    alerts = decide(_new_referral(False), [intake, clinician, silent], now, DIGEST_AT)
    assert [a.person_id for a in alerts] == [intake.person_id]
    assert kinds_for(PersonRole.CLINICIAN) == []
    assert AlertKind.URGENT_NOT_ACKNOWLEDGED in kinds_for(PersonRole.SITE_COORDINATOR)


def test_sms_without_a_number_goes_by_email_and_with_one_by_sms() -> None:
    now = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    no_number = _person(new_referral=Channel.SMS)
    number = _person(new_referral=Channel.SMS, has_phone=True)
    by = {
        a.person_id: a.channel
        for a in decide(_new_referral(True), [no_number, number], now, DIGEST_AT)
    }
    assert by == {no_number.person_id: Channel.EMAIL, number.person_id: Channel.SMS}


def test_a_digest_gathers_what_is_not_urgent_at_her_next_digest_hour() -> None:
    now = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # noon in Chicago
    person = _person(digest=True, quiet=None)
    notice = Notice(AlertKind.SLA_BREACH, False, "riverside-ob", SITE_COORDINATOR, "lantern", "/r")
    coordinator = _person(role=PersonRole.SITE_COORDINATOR, digest=True, quiet=None)
    (breach,) = decide(notice, [person, coordinator], now, DIGEST_AT)
    assert breach.digest and breach.due_at == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    (urgent,) = decide(_new_referral(True), [person], now, DIGEST_AT)
    assert not urgent.digest and urgent.due_at == now, "urgent never waits for the digest"


def test_the_words_name_the_kind_the_organization_and_a_link_and_fit_one_sms() -> None:
    sent = alert_messages.Sent(
        AlertKind.URGENT_NOT_ACKNOWLEDGED, "lantern-telehealth",
        "/inbox/0192f0c4-1b1e-7000-8000-000000000001", True,
    )  # fmt: skip
    base = "https://portal.warmlink.example.org"
    assert alert_messages.subject(sent) == (
        "Warmlink alert: Urgent referral not acknowledged at lantern-telehealth"
    )
    assert f"{base}/inbox/0192f0c4-1b1e-7000-8000-000000000001" in alert_messages.body(sent, base)
    sms = alert_messages.sms_text(sent, base)
    assert len(sms) <= 160 and sms.isascii()
    assert sms.endswith(f"{base}/inbox/0192f0c4-1b1e-7000-8000-000000000001")


def _form(**values: str) -> dict[str, str]:
    return {"time_zone": "America/Chicago", "csrf_token": "t"} | values


def test_the_preferences_form_reads_choices_and_refuses_with_errors_beside_the_fields() -> None:
    chosen, errors = alert_choices.read(
        _form(quiet_from="21:00", quiet_until="07:00", digest="yes", channel_new_referral="sms",
              phone="(312) 555-0100")
    )  # fmt: skip
    assert errors == {} and chosen is not None
    assert (chosen.quiet_from, chosen.quiet_until, chosen.digest) == (time(21), time(7), True)
    assert chosen.channels[AlertKind.NEW_REFERRAL] is Channel.SMS
    assert chosen.channels[AlertKind.SLA_BREACH] is Channel.EMAIL and chosen.phone == "3125550100"
    chosen, errors = alert_choices.read(
        _form(quiet_from="25:00", channel_new_referral="sms", time_zone="Mars/Olympus")
    )
    assert chosen is None
    assert set(errors) == {"quiet_from", "time_zone", "phone"}
    _, errors = alert_choices.read(_form(quiet_from="21:00"))
    assert set(errors) == {"quiet_until"}
    _, errors = alert_choices.read(_form(channel_new_referral="pager"))
    assert set(errors) == {"channel_new_referral"}


def test_each_event_announces_its_kind_to_its_audience() -> None:
    referral = uuid.uuid4()
    at = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    common = {"referral_id": referral, "site_id": "riverside-ob", "practice_id": "lantern"}
    early = alert_notices.for_urgent_acknowledgement_overdue(
        UrgentAcknowledgementOverdue(**common, alert_at=at, detected_at=at)
    )
    assert [(n.kind, n.audience, n.roles, n.link) for n in early] == [
        (AlertKind.URGENT_NOT_ACKNOWLEDGED, "lantern", INTAKE, f"/inbox/{referral}"),
        (
            AlertKind.URGENT_NOT_ACKNOWLEDGED,
            "riverside-ob",
            SITE_COORDINATOR,
            f"/referrals/{referral}",
        ),
    ]
    assert all(n.urgent and n.about == "lantern" for n in early)
    (breach,) = alert_notices.for_sla_breached(
        SlaBreached(**common, kind=SlaKind.ACK_OVERDUE, due_at=at, detected_at=at, urgent=True)
    )
    assert (breach.kind, breach.audience, breach.roles) == (
        AlertKind.SLA_BREACH, "riverside-ob", SITE_COORDINATOR,
    )  # fmt: skip
    (nearing,) = alert_notices.for_capacity_nearing_stale(
        CapacityNearingStale(
            practice_id="lantern", service_id="lantern-therapy", verified_at=at, stale_at=at
        )
    )
    assert (nearing.kind, nearing.audience, nearing.roles, nearing.link, nearing.urgent) == (
        AlertKind.LISTING_NEARLY_STALE, "lantern", INTAKE, "/capacity", False,
    )  # fmt: skip
