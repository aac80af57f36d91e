"""The access log's rules without I/O: who may read an audit trail, and the page cursor that
comes back as it went out and refuses anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.referral.domain.access_log import Cursor
from warmlink.roles import PersonRole, Role, reads_audit_trail

SITE = "riverside-ob"


@pytest.mark.parametrize(
    ("access", "person", "organization", "reads"),
    [
        (Role.CLINIC, PersonRole.SITE_COORDINATOR, SITE, True),
        (Role.CLINIC, PersonRole.SITE_COORDINATOR, "cedar-heights-obgyn", False),
        (Role.CLINIC, PersonRole.MA, SITE, False),
        (Role.CLINIC, PersonRole.CLINICIAN, SITE, False),
        (Role.CLINIC, None, SITE, False),  # the site's EHR client
        (Role.PRACTICE, PersonRole.INTAKE_COORDINATOR, "bloom-therapy", False),
        (Role.ADMIN, PersonRole.NETWORK_ADMIN, "network-admin", True),
        (Role.ADMIN, PersonRole.NETWORK_COORDINATOR, "network-admin", True),
        (Role.ADMIN, None, "network-admin", True),  # the network's own tools
    ],
)
def test_only_the_sites_coordinator_and_the_network_read_a_trail(
    access: Role, person: PersonRole | None, organization: str, reads: bool
) -> None:
    assert reads_audit_trail(access, person, organization, SITE) is reads


def test_a_cursor_comes_back_as_it_went_out() -> None:
    at = datetime(2026, 12, 5, 12, 30, 1, 123456, tzinfo=timezone(timedelta(hours=-6)))
    cursor = Cursor(at, "timeline", 42)
    assert Cursor.decode(cursor.encode()) == cursor
    assert "=" not in cursor.encode(), "fits a query string as it is"


@pytest.mark.parametrize(
    "text",
    [
        "not-a-cursor",
        "",
        Cursor(datetime(2026, 12, 5, tzinfo=UTC), "audit", 1).encode()[:-3],
        # A time without its offset could not be compared with the log's times.
        "MjAyNi0xMi0wNVQxMjozMDowMHxhdWRpdHwx",  # 2026-12-05T12:30:00|audit|1
    ],
)
def test_anything_else_is_no_cursor(text: str) -> None:
    assert Cursor.decode(text) is None
