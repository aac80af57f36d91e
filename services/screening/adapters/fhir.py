"""Read item answers out of a FHIR R4 QuestionnaireResponse (plain dicts, no FHIR library).

Only EPDS and PHQ-9 responses are accepted. The accepted shape, minimally::

    {
      "resourceType": "QuestionnaireResponse",
      "questionnaire": "http://loinc.org/q/71354-5",
      "authored": "2024-05-01T10:15:00-04:00",
      "item": [
        {"linkId": "1", "answer": [{"valueCoding": {"code": "0"}}]},
        {"linkId": "2", "answer": [{"valueInteger": 1}]},
        ...
        {"linkId": "10", "answer": [{"valueCoding": {"code": "3"}}]}
      ]
    }

Rules:

- ``resourceType`` must be ``"QuestionnaireResponse"``.
- The instrument comes from ``questionnaire``, a canonical URL that must contain the
  panel LOINC code: ``71354-5`` (EPDS) or ``44249-1`` (PHQ-9). Anything else is refused.
- ``item`` is a flat list; item *n* (1-based, as printed) has ``linkId`` ``"n"``. Items with
  any other linkId are ignored -- notably a client-computed total, which the server never
  trusts. Nested groups are not searched: their questions would be reported missing.
- Each item carries exactly one answer: ``valueCoding.code`` as a string ``"0"``..``"3"``
  or ``valueInteger`` 0..3. Either way the value is the *position* of the option chosen on
  the printed form (0 = top option), not its score: EPDS reverse-scoring is applied later,
  by ``score``. LOINC answer codes (``LA...``) are refused rather than guessed at; the
  coding ``system`` is not inspected.
- ``authored`` is optional; when present it must be a dateTime with a UTC offset.

Problems raise ``InvalidScreening`` whose ``field`` is a JSON pointer into the resource,
e.g. ``"/item/3/answer"`` (the fourth element of ``item``, whatever its linkId).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.screening.domain.errors import InvalidScreening
from services.screening.domain.instruments import EPDS, PHQ9, Instrument

# Panel codes must stand alone in the URL: "44249-1" must not match inside "144249-12".
_PANEL_PATTERNS: tuple[tuple[re.Pattern[str], Instrument], ...] = tuple(
    (re.compile(rf"(?<!\d){re.escape(spec.panel_loinc)}(?!\d)"), spec)
    for spec in (EPDS, PHQ9)
    if spec.panel_loinc is not None
)


@dataclass(frozen=True)
class ParsedResponse:
    """Answers (option positions, in item order) ready for ``score(instrument, answers)``."""

    instrument: str
    answers: tuple[int, ...]
    authored: datetime | None


def answers_from_questionnaire_response(resource: Mapping[str, Any]) -> ParsedResponse:
    """Parse an EPDS or PHQ-9 QuestionnaireResponse; see the module docstring for the shape."""
    if not isinstance(resource, Mapping):
        raise InvalidScreening("", "expected a JSON object (a FHIR QuestionnaireResponse)")
    if resource.get("resourceType") != "QuestionnaireResponse":
        raise InvalidScreening(
            "/resourceType",
            f"expected 'QuestionnaireResponse'; got {resource.get('resourceType')!r}",
        )
    spec = _instrument_of(resource.get("questionnaire"))
    answers = _answers(spec, resource.get("item"))
    authored = _authored(resource.get("authored"))
    return ParsedResponse(instrument=spec.name, answers=answers, authored=authored)


def _instrument_of(questionnaire: object) -> Instrument:
    if not isinstance(questionnaire, str) or not questionnaire:
        raise InvalidScreening(
            "/questionnaire", "questionnaire (a canonical URL with the panel LOINC) is required"
        )
    matches = [spec for pattern, spec in _PANEL_PATTERNS if pattern.search(questionnaire)]
    if len(matches) != 1:
        raise InvalidScreening(
            "/questionnaire",
            f"unknown questionnaire {questionnaire!r}; expected a URL containing "
            "71354-5 (EPDS) or 44249-1 (PHQ-9)",
        )
    return matches[0]


def _answers(spec: Instrument, items: object) -> tuple[int, ...]:
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise InvalidScreening("/item", f"item must be a list of the {spec.item_count} answers")
    expected_link_ids = {str(number): number - 1 for number in range(1, spec.item_count + 1)}
    positions: dict[int, int] = {}
    for array_index, item in enumerate(items):
        pointer = f"/item/{array_index}"
        if not isinstance(item, Mapping):
            raise InvalidScreening(pointer, "each item must be a JSON object")
        link_id = item.get("linkId")
        if not isinstance(link_id, str):
            raise InvalidScreening(f"{pointer}/linkId", "linkId is required")
        item_index = expected_link_ids.get(link_id)
        if item_index is None:
            continue  # not one of the instrument's questions, e.g. a client total
        if item_index in positions:
            raise InvalidScreening(f"{pointer}/linkId", f"duplicate answer for linkId {link_id!r}")
        positions[item_index] = _position(spec, item.get("answer"), f"{pointer}/answer")
    missing = [str(i + 1) for i in range(spec.item_count) if i not in positions]
    if missing:
        raise InvalidScreening(
            "/item",
            f"{spec.name} needs all {spec.item_count} items; missing linkId {', '.join(missing)}",
        )
    return tuple(positions[i] for i in range(spec.item_count))


def _position(spec: Instrument, answer: object, pointer: str) -> int:
    if isinstance(answer, str) or not isinstance(answer, Sequence) or len(answer) == 0:
        raise InvalidScreening(pointer, "the item has no answer")
    if len(answer) > 1:
        raise InvalidScreening(pointer, f"expected exactly one answer; got {len(answer)}")
    value = answer[0]
    pointer = f"{pointer}/0"
    if not isinstance(value, Mapping):
        raise InvalidScreening(pointer, "each answer must be a JSON object")
    valid = range(spec.option_count)
    expectation = f"the position of the option chosen, 0..{spec.max_answer}"
    if "valueCoding" in value:
        coding = value["valueCoding"]
        code = coding.get("code") if isinstance(coding, Mapping) else None
        # Exact strings only: " 1", "+1" or "01" suggest a different code system.
        if code not in {str(position) for position in valid}:
            raise InvalidScreening(
                f"{pointer}/valueCoding/code", f"code must be {expectation}; got {code!r}"
            )
        return int(code)
    if "valueInteger" in value:
        integer = value["valueInteger"]
        # JSON true parses to Python True, which is an int: refuse it.
        if isinstance(integer, bool) or not isinstance(integer, int) or integer not in valid:
            raise InvalidScreening(
                f"{pointer}/valueInteger", f"valueInteger must be {expectation}; got {integer!r}"
            )
        return integer
    raise InvalidScreening(pointer, "answer must be a valueCoding or a valueInteger")


def _authored(authored: object) -> datetime | None:
    if authored is None:
        return None
    if not isinstance(authored, str):
        raise InvalidScreening("/authored", "authored must be a FHIR dateTime string")
    try:
        parsed = datetime.fromisoformat(authored)
    except ValueError:
        raise InvalidScreening(
            "/authored", f"authored is not a valid dateTime: {authored!r}"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidScreening(
            "/authored", f"authored must include a time and a UTC offset; got {authored!r}"
        )
    return parsed
