"""A referral's thread as the portal shows it, and who is mailed with what: pure."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from services.portal.domain.access import rows as access_rows
from services.portal.domain.thread import (
    Recipient,
    mail_id,
    message_views,
    other_end,
    thread_link,
    thread_mail,
    told,
)
from services.portal.entrypoints.deps import TEMPLATES
from warmlink.roles import PersonRole

ENDS = {"referral_id": "r-1", "site_id": "riverside-ob", "practice_id": "bloom-therapy"}


def test_the_mail_says_only_that_a_message_waits_and_where_to_sign_in() -> None:
    link = thread_link("https://portal.example.org/", "0195-abc")
    assert link == "https://portal.example.org/referrals/0195-abc/messages"
    subject, body = thread_mail(link)
    assert subject == "A new message about a referral is waiting in Warmlink"
    assert link in body
    assert body.replace(link, "").count("/") == 0, "no other link or detail"


def test_the_other_end_is_told() -> None:
    assert other_end(ENDS, "riverside-ob") == ("practice", "bloom-therapy")
    assert other_end(ENDS, "bloom-therapy") == ("site", "riverside-ob")


def test_who_is_told_at_each_end() -> None:
    maker, ma, coord = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    site = [
        Recipient(maker, "maker@site", PersonRole.CLINICIAN),
        Recipient(ma, "ma@site", PersonRole.MA),
        Recipient(coord, "coord@site", PersonRole.SITE_COORDINATOR),
    ]
    assert {p.email for p in told("site", site, f"person:{maker}")} == {"maker@site", "coord@site"}
    assert {p.email for p in told("site", site, "riverside-ob:clinic")} == {"coord@site"}
    practice = [
        Recipient(uuid.uuid4(), "intake@p", PersonRole.INTAKE_COORDINATOR),
        Recipient(uuid.uuid4(), "doc@p", PersonRole.CLINICIAN),
    ]
    assert [p.email for p in told("practice", practice, f"person:{maker}")] == ["intake@p"]


def test_one_mail_id_per_message_and_person() -> None:
    person = uuid.uuid4()
    assert mail_id("m-1", person) == mail_id("m-1", person)
    assert mail_id("m-1", person) != mail_id("m-2", person)


def test_her_own_organization_by_email_the_other_end_by_what_it_is() -> None:
    items = [
        {
            "organization_id": "riverside-ob",
            "side": "site",
            "author": "person:abc",
            "written_at": "2026-12-05T15:00:00+00:00",
            "text": "A question",
        },
        {
            "organization_id": "bloom-therapy",
            "side": "practice",
            "author": "person:def",
            "written_at": "2026-12-05T16:30:00+00:00",
            "text": "An answer",
        },
    ]
    shown = message_views(
        items, "riverside-ob", {"person:abc": "nurse@site"}, ZoneInfo("America/Chicago")
    )
    assert [(m.who, m.at, m.own) for m in shown] == [
        ("nurse@site", "Sat 5 Dec 2026 09:00", True),
        ("The practice (bloom-therapy)", "Sat 5 Dec 2026 10:30", False),
    ]


def test_the_thread_link_says_with_whom_and_how_many_or_is_plain() -> None:
    template = TEMPLATES.env.get_template("_referral_thread_link.html")
    counted = template.render(referral_id="r-1", thread_count=2, thread_with="the practice")
    assert "Messages with the practice (2)" in counted
    assert 'href="/referrals/r-1/messages"' in counted
    plain = template.render(referral_id="r-1")
    assert ">Messages</a>" in plain and "(" not in plain


def test_the_access_log_says_who_read_the_thread_in_words() -> None:
    entry = {
        "at": "2026-12-05T18:30:00+00:00",
        "actor": "bloom-therapy:practice",
        "organization_id": "bloom-therapy",
        "role": "practice",
        "person_role": None,
        "action": "read",
        "record_type": "referral_messages",
        "change": None,
    }
    (row,) = access_rows([entry], {}, ZoneInfo("America/Chicago"))
    assert row.what == "Read the messages between the site and the practice"
