"""Closing a positive screen: a code, a note for `other`, an assessment first when urgent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.codes import ScreenClosureReason as Why
from services.referral.domain.errors import (
    NoteRequired,
    SafetyAssessmentMissing,
    ScreenAlreadyAccounted,
)
from services.referral.domain.worklist import (
    CloseScreen,
    WorklistItem,
    assessment_allowed,
    closure_allowed,
)

ITEM = WorklistItem(
    uuid4(), "site", "p-1", "EPDS", 14, "probable_depression", False, "ob", datetime.now(UTC)
)


def test_other_needs_a_note_and_the_error_names_the_field() -> None:
    with pytest.raises(NoteRequired) as refused:
        CloseScreen(ITEM.screening_id, Why.OTHER, "  ")
    assert refused.value.field == "/note"
    CloseScreen(ITEM.screening_id, Why.OTHER, "moving abroad next week")


def test_an_urgent_screen_closes_only_after_its_safety_assessment() -> None:
    urgent = replace(ITEM, urgent=True)
    command = CloseScreen(ITEM.screening_id, Why.ALREADY_IN_CARE)
    with pytest.raises(SafetyAssessmentMissing) as refused:
        closure_allowed(urgent, command)
    assert refused.value.extensions["missing"] == "safety_assessment"
    assert closure_allowed(replace(urgent, safety_outcome="no_current_risk"), command)


def test_a_referred_or_closed_screen_does_not_close_again() -> None:
    command = CloseScreen(ITEM.screening_id, Why.TRANSFERRED)
    with pytest.raises(ScreenAlreadyAccounted):
        closure_allowed(replace(ITEM, status="referred"), command)
    closed = replace(ITEM, status="closed", closure_reason="transferred")
    assert closure_allowed(closed, command) is False  # the same closure again: a no-op
    with pytest.raises(ScreenAlreadyAccounted) as refused:
        closure_allowed(closed, CloseScreen(ITEM.screening_id, Why.ALREADY_IN_CARE))
    assert refused.value.extensions["current_status"] == "closed"
    with pytest.raises(ScreenAlreadyAccounted):
        assessment_allowed(closed)
    assessment_allowed(replace(ITEM, status="referred"))
