"""A FHIR QuestionnaireResponse is taken as a plain object: its top level is bounded (the
request body limit bounds the rest)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.screening.entrypoints.schemas import QuestionnaireResponseIn


def body(elements: int) -> dict[str, object]:
    resource = {"resourceType": "QuestionnaireResponse"} | {f"x{n}": n for n in range(elements - 1)}
    return {"patient_ref": "mrn-1", "setting": "ob", "resource": resource}


def test_a_resource_with_too_many_elements_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        QuestionnaireResponseIn.model_validate(body(51))
    assert [e["loc"] for e in refused.value.errors()] == [("resource",)]


def test_a_resource_of_ordinary_size_is_taken() -> None:
    assert len(QuestionnaireResponseIn.model_validate(body(12)).resource) == 12
