"""MatchRequest validation: every refusal names its field as a JSON pointer."""

from __future__ import annotations

import math

import pytest

from services.directory.domain.matching import InvalidMatchRequest, MatchRequest
from services.directory.domain.model import LevelOfCare, Modality, Population
from tests.unit.directory.test_directory_factories import request


def test_defaults() -> None:
    req = request()
    assert (req.radius_km, req.urgency, req.limit) == (40.0, "routine", 10)
    assert req.modality is None and req.population is None and req.language is None


def test_fields_are_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        MatchRequest("plan", "aetna")  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        request().limit = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"coverage": "cash"}, "/coverage"),
        ({"plan": None}, "/plan"),
        ({"plan": "   "}, "/plan"),
        ({"level_of_care": "therapy"}, "/level_of_care"),
        ({"latitude": None, "longitude": None}, "/latitude"),  # neither place nor state
        ({"longitude": None}, "/longitude"),
        ({"latitude": None, "telehealth_state": "IL"}, "/latitude"),
        ({"latitude": 90.5}, "/latitude"),
        ({"latitude": math.nan}, "/latitude"),
        ({"longitude": -180.5}, "/longitude"),
        ({"longitude": math.inf}, "/longitude"),
        ({"telehealth_state": "Illinois"}, "/telehealth_state"),
        ({"telehealth_state": "I1"}, "/telehealth_state"),
        ({"radius_km": 0}, "/radius_km"),
        ({"radius_km": -5}, "/radius_km"),
        ({"radius_km": 500.01}, "/radius_km"),
        ({"radius_km": math.nan}, "/radius_km"),
        ({"language": ""}, "/language"),
        ({"language": "xx-YY"}, "/language"),
        ({"telehealth_state": "ZZ"}, "/telehealth_state"),
        ({"modality": "video"}, "/modality"),
        ({"population": "infants"}, "/population"),
        ({"urgency": "asap"}, "/urgency"),
        ({"limit": 0}, "/limit"),
        ({"limit": 51}, "/limit"),
        ({"limit": True}, "/limit"),
    ],
)
def test_invalid_requests_name_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidMatchRequest) as caught:
        request(**overrides)
    assert caught.value.field == field
    assert caught.value.detail
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "overrides",
    [
        {"coverage": "medicaid", "plan": None},
        {"coverage": "uninsured", "plan": None},
        {"latitude": None, "longitude": None, "telehealth_state": "IL"},
        {"telehealth_state": "il"},  # compared case-insensitively
        {"radius_km": 500},
        {"radius_km": 0.1},
        {"limit": 1},
        {"limit": 50},
        {"latitude": -90.0, "longitude": 180.0},
        {"language": "es-MX", "modality": Modality.TELEHEALTH},
        {"population": Population.POSTPARTUM, "urgency": "urgent"},
        {"level_of_care": LevelOfCare.PHP},
    ],
)
def test_valid_requests(overrides: dict[str, object]) -> None:
    request(**overrides)
