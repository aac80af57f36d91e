"""The follow-up service refuses clock settings that cannot work, at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.followup.clocks.adapters.context import clock_policy
from services.followup.settings import FollowupSettings


def test_defaults_give_the_domain_policy() -> None:
    policy = clock_policy(FollowupSettings())
    assert (policy.followup_opens_days, policy.followup_due_days) == (7, 10)
    assert (policy.ack_business_days, policy.urgent_ack_open_hours) == (1, 4.0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"followup_opens_days": 10, "followup_due_days": 7}, "DUE_DAYS"),
        ({"urgent_followup_opens_days": 3, "urgent_followup_due_days": 2}, "URGENT"),
        ({"network_time_zone": "America/Gotham"}, "unknown time zone"),
        ({"followup_opens_days": 0}, "greater than or equal to 1"),
    ],
)
def test_impossible_clock_settings_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FollowupSettings(**overrides)  # type: ignore[arg-type]
