"""Urgency is the server's rule: a site may raise it, never lower it below its screen's."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from contracts.codes import Urgency, UrgencyReason
from services.referral.domain.errors import ScreenNotOnWorklist
from services.referral.domain.urgency import DecidedUrgency, decide_urgency

SCREEN = uuid4()
URGENT_BY_RULE = DecidedUrgency(Urgency.URGENT, UrgencyReason.SAFETY_ITEM_POSITIVE)
URGENT_BY_SITE = DecidedUrgency(Urgency.URGENT, UrgencyReason.REQUESTED_BY_SITE)
ROUTINE = DecidedUrgency(Urgency.ROUTINE, None)


@pytest.mark.parametrize("requested", list(Urgency))
def test_a_screen_with_a_positive_safety_item_makes_the_referral_urgent(
    requested: Urgency,
) -> None:
    assert decide_urgency(requested, SCREEN, screen_urgent=True) == URGENT_BY_RULE


@pytest.mark.parametrize(
    ("requested", "screening_id", "screen_urgent", "expected"),
    [
        (Urgency.URGENT, SCREEN, False, URGENT_BY_SITE),  # the site raises it
        (Urgency.URGENT, None, None, URGENT_BY_SITE),
        (Urgency.URGENT, SCREEN, None, URGENT_BY_SITE),  # nothing to lower: never refused
        (Urgency.ROUTINE, SCREEN, False, ROUTINE),
        (Urgency.ROUTINE, None, None, ROUTINE),  # no screen named: nothing to check
    ],
)
def test_otherwise_the_site_decides(
    requested: Urgency,
    screening_id: UUID | None,
    screen_urgent: bool | None,
    expected: DecidedUrgency,
) -> None:
    assert decide_urgency(requested, screening_id, screen_urgent) == expected


def test_a_routine_referral_for_a_screen_not_yet_on_the_worklist_is_refused_naming_it() -> None:
    with pytest.raises(ScreenNotOnWorklist) as info:
        decide_urgency(Urgency.ROUTINE, SCREEN, screen_urgent=None)
    assert info.value.field == "/screening_id"
    assert info.value.extensions == {"screening_id": str(SCREEN)}
    assert "retry" in info.value.detail
