"""Subscription filters: an empty list filters nothing, like an omitted one (the README's
template sends `[]`), and is stored as no filter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.referral.subscriptions.entrypoints.schemas import SubscriptionIn


def test_empty_filter_lists_are_accepted() -> None:
    body = SubscriptionIn.model_validate(
        {"url": "https://example.org/hook", "filters": {"statuses": [], "event_types": []}}
    )
    assert body.filters.statuses == [] and body.filters.event_types == []


def test_filter_values_are_still_checked() -> None:
    with pytest.raises(ValidationError):
        SubscriptionIn.model_validate(
            {"url": "https://example.org/hook", "filters": {"event_types": ["Nope"]}}
        )
    with pytest.raises(ValidationError):
        SubscriptionIn.model_validate(
            {"url": "https://example.org/hook", "filters": {"statuses": ["scheduled"] * 21}}
        )
