"""The crisis and support lines are one definition: what screening lists, what matching offers,
what the clinician reads at the handoff and what the patient receives all carry the same
numbers, 988 first."""

from __future__ import annotations

from contracts.resources import CRISIS_LINES, MATERNAL_MENTAL_HEALTH_HOTLINE, PSI_HELPLINE
from services.directory.domain.resources import NO_INSURANCE_FALLBACK, URGENT_RESOURCES
from services.referral.adapters import confirmation
from services.referral.domain.messages import CRISIS_RESOURCES as HANDOFF_LINES
from services.screening.domain import CRISIS_RESOURCES as SCREENING_LINES


def contacts(lines: object) -> list[str]:
    return [r["contact"] if isinstance(r, dict) else r.contact for r in lines]  # type: ignore[attr-defined]


def test_every_service_hands_over_the_same_lines_with_988_first() -> None:
    expected = ["Call or text 988", "1-800-944-4773", "1-833-TLC-MAMA (1-833-852-6262)"]
    assert contacts(CRISIS_LINES) == expected
    assert contacts(SCREENING_LINES) == contacts(URGENT_RESOURCES) == contacts(HANDOFF_LINES)
    assert contacts(HANDOFF_LINES) == expected
    assert [r.kind for r in CRISIS_LINES] == ["crisis", "support", "support"]
    assert NO_INSURANCE_FALLBACK == (PSI_HELPLINE,)


def test_the_patients_messages_carry_the_same_numbers() -> None:
    assert confirmation.PSI_HELPLINE == PSI_HELPLINE.contact
    assert confirmation.MATERNAL_HOTLINE == MATERNAL_MENTAL_HEALTH_HOTLINE.contact
