"""The BSeR business statuses the network sends are the published code system's, word for word."""

from __future__ import annotations

import re
from pathlib import Path

from contracts.lifecycle import FHIR_STATUS

VENDORED = Path(__file__).parents[2] / "contracts" / "standards" / "bser"
# A concept line of the FHIR Shorthand source: `* #5.1.1 "Service Request Event Scheduled"`.
CONCEPT = re.compile(r'^\* #(?P<code>[0-9.]+) "(?P<display>[^"]+)"$', re.MULTILINE)


def bser_concepts() -> dict[str, str]:
    source = (VENDORED / "TaskBusinessStatusCS.fsh").read_text(encoding="utf-8")
    return {m["code"]: m["display"] for m in CONCEPT.finditer(source)}


def test_the_vendored_code_system_is_read_whole() -> None:
    # Ten codes in BSeR STU2; a parse that found fewer would let a wrong display pass.
    assert len(bser_concepts()) == 10
    assert bser_concepts()["7.0"] == "Service Request Fulfillment Completed"


def test_every_business_status_is_the_code_systems_code_and_display() -> None:
    concepts = bser_concepts()
    for state, fhir in FHIR_STATUS.items():
        assert fhir.business_status_code in concepts, state
        assert fhir.business_status_display == concepts[fhir.business_status_code], state
