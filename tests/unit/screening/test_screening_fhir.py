"""Parsing FHIR R4 QuestionnaireResponse resources into answers."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from services.screening.adapters.fhir import ParsedResponse, answers_from_questionnaire_response
from services.screening.domain import InvalidScreening, score

EPDS_URL = "http://loinc.org/q/71354-5"
PHQ9_URL = "http://example.org/fhir/Questionnaire/phq-9|44249-1"


def response(questionnaire: str, positions: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire,
        "item": [
            {"linkId": str(n), "answer": [{"valueCoding": {"code": str(p)}}]}
            for n, p in enumerate(positions, start=1)
        ],
        **extra,
    }


def error_of(resource: Any) -> tuple[str, str]:
    with pytest.raises(InvalidScreening) as caught:
        answers_from_questionnaire_response(resource)
    return caught.value.field, caught.value.detail


# --- happy paths ---


def test_epds_response_yields_positions_and_authored() -> None:
    positions = [1, 0, 2, 1, 3, 0, 2, 1, 3, 3]
    parsed = answers_from_questionnaire_response(
        response(EPDS_URL, positions, authored="2024-05-01T10:15:00-04:00")
    )
    assert parsed == ParsedResponse(
        instrument="EPDS",
        answers=tuple(positions),
        authored=datetime(2024, 5, 1, 10, 15, tzinfo=timezone(timedelta(hours=-4))),
    )
    assert score(parsed.instrument, parsed.answers).total == 9


def test_epds_item_10_top_option_parses_as_position_0_and_scores_urgent() -> None:
    parsed = answers_from_questionnaire_response(response(EPDS_URL, [3, 3, 0, 3, 0, 0, 0, 0, 0, 0]))
    assert parsed.answers[9] == 0
    assert score(parsed.instrument, parsed.answers).urgent is True


def test_phq9_response_with_value_integer_out_of_order_and_a_client_total_ignored() -> None:
    items: list[dict[str, Any]] = [
        {"linkId": str(n), "answer": [{"valueInteger": n % 4}]} for n in range(9, 0, -1)
    ]
    items.append({"linkId": "total", "answer": [{"valueInteger": 99}]})
    resource = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": PHQ9_URL,
        "authored": "2024-05-01T14:15:00Z",
        "item": items,
    }
    parsed = answers_from_questionnaire_response(resource)
    assert parsed.instrument == "PHQ-9"
    assert parsed.answers == (1, 2, 3, 0, 1, 2, 3, 0, 1)
    assert parsed.authored == datetime(2024, 5, 1, 14, 15, tzinfo=UTC)


def test_authored_is_optional() -> None:
    assert answers_from_questionnaire_response(response(PHQ9_URL, [0] * 9)).authored is None


# --- error paths ---


@pytest.mark.parametrize("resource_type", ["Questionnaire", "Observation", None])
def test_wrong_resource_type_is_reported_at_resource_type(resource_type: str | None) -> None:
    resource = response(EPDS_URL, [0] * 10, resourceType=resource_type)
    assert error_of(resource)[0] == "/resourceType"


def test_non_object_resource_is_refused() -> None:
    assert error_of([1, 2, 3])[0] == ""


@pytest.mark.parametrize(
    "questionnaire",
    [
        "http://loinc.org/q/55758-7",  # PHQ-2: not accepted over FHIR
        "http://loinc.org/q/144249-12",  # the PHQ-9 code embedded in a longer number
        "http://example.org/q/71354-5-and-44249-1",  # ambiguous
        "",
        None,
    ],
)
def test_unknown_or_missing_questionnaire_is_reported_at_questionnaire(
    questionnaire: str | None,
) -> None:
    resource = response(EPDS_URL, [0] * 10)
    resource["questionnaire"] = questionnaire
    assert error_of(resource)[0] == "/questionnaire"


@pytest.mark.parametrize("answer", [None, [], "0"])
def test_missing_answer_is_reported_at_the_item(answer: Any) -> None:
    resource = response(EPDS_URL, [0] * 10)
    resource["item"][3]["answer"] = answer
    if answer is None:
        del resource["item"][3]["answer"]
    assert error_of(resource) == ("/item/3/answer", "the item has no answer")


def test_more_than_one_answer_is_refused() -> None:
    resource = response(EPDS_URL, [0] * 10)
    resource["item"][0]["answer"].append({"valueInteger": 1})
    assert error_of(resource)[0] == "/item/0/answer"


@pytest.mark.parametrize("code", ["4", "-1", "01", " 1", "LA6568-5", 1, None])
def test_coding_that_is_not_a_position_is_reported_at_its_code(code: Any) -> None:
    resource = response(EPDS_URL, [0] * 10)
    resource["item"][2]["answer"] = [{"valueCoding": {"system": "http://loinc.org", "code": code}}]
    assert error_of(resource)[0] == "/item/2/answer/0/valueCoding/code"


@pytest.mark.parametrize("value", [4, -1, True, "2", 1.0])
def test_value_integer_that_is_not_a_position_is_refused(value: Any) -> None:
    resource = response(PHQ9_URL, [0] * 9)
    resource["item"][8]["answer"] = [{"valueInteger": value}]
    assert error_of(resource)[0] == "/item/8/answer/0/valueInteger"


def test_answer_of_another_value_type_is_refused() -> None:
    resource = response(PHQ9_URL, [0] * 9)
    resource["item"][1]["answer"] = [{"valueString": "several days"}]
    assert error_of(resource)[0] == "/item/1/answer/0"


def test_missing_item_lists_the_missing_link_ids() -> None:
    resource = response(EPDS_URL, [0] * 10)
    del resource["item"][9]
    del resource["item"][2]
    assert error_of(resource) == ("/item", "EPDS needs all 10 items; missing linkId 3, 10")


def test_duplicate_link_id_is_refused() -> None:
    resource = response(PHQ9_URL, [0] * 9)
    resource["item"].append({"linkId": "9", "answer": [{"valueInteger": 0}]})
    assert error_of(resource)[0] == "/item/9/linkId"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.update(item="not a list"), "/item"),
        (lambda r: r.pop("item"), "/item"),
        (lambda r: r["item"].__setitem__(4, "x"), "/item/4"),
        (lambda r: r["item"][5].pop("linkId"), "/item/5/linkId"),
    ],
)
def test_malformed_item_structure_points_at_the_problem(mutate: Any, field: str) -> None:
    resource = response(EPDS_URL, [0] * 10)
    mutate(resource)
    assert error_of(resource)[0] == field


@pytest.mark.parametrize(
    "authored",
    ["2024-05-01T10:15:00", "2024-05-01", "yesterday", 1714572900],
)
def test_authored_without_offset_or_unparseable_is_reported_at_authored(authored: Any) -> None:
    resource = response(EPDS_URL, [0] * 10, authored=authored)
    assert error_of(resource)[0] == "/authored"
