"""Next steps for the clinician and resources for the patient."""

import pytest

from services.screening.domain import (
    CRISIS_RESOURCES,
    LIFELINE_988,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
    PSI_HELPLINE,
    InvalidScreening,
    ScoreResult,
    next_steps,
    score,
)
from services.screening.domain.next_steps import ASSESS_SAFETY, NO_REFERRAL, WARM_HANDOFF

URGENT = score("PHQ-9", [0] * 8 + [1])
POSITIVE = score("PHQ-9", [2] * 5 + [0] * 4)
NEGATIVE = score("PHQ-9", [0] * 9)

SETTING_ACTIONS = {
    "hospital": ("Confirm an outpatient appointment before discharge.",),
    "ob": (),
    "pediatric": ("Frame the referral as part of the infant's care (dyad).",),
    "iop_php": ("Schedule the first outpatient appointment before the last IOP/PHP session.",),
}


def test_crisis_resources_are_988_then_psi_then_tlc_mama() -> None:
    assert [(r.contact, r.kind) for r in CRISIS_RESOURCES] == [
        ("Call or text 988", "crisis"),
        ("1-800-944-4773", "support"),
        ("1-833-TLC-MAMA (1-833-852-6262)", "support"),
    ]
    assert "988" in MATERNAL_MENTAL_HEALTH_HOTLINE.note  # it is not a crisis line


@pytest.mark.parametrize("setting", sorted(SETTING_ACTIONS))
def test_urgent_screen_starts_with_safety_then_handoff_and_988_first(setting: str) -> None:
    steps = next_steps(URGENT, setting)
    assert steps.actions == (ASSESS_SAFETY, WARM_HANDOFF, *SETTING_ACTIONS[setting])
    assert steps.resources == (LIFELINE_988, PSI_HELPLINE, MATERNAL_MENTAL_HEALTH_HOTLINE)


@pytest.mark.parametrize("setting", sorted(SETTING_ACTIONS))
def test_positive_screen_gets_a_warm_handoff_and_support_lines_with_988(setting: str) -> None:
    steps = next_steps(POSITIVE, setting)
    assert steps.actions == (WARM_HANDOFF, *SETTING_ACTIONS[setting])
    assert steps.resources == (PSI_HELPLINE, MATERNAL_MENTAL_HEALTH_HOTLINE, LIFELINE_988)


@pytest.mark.parametrize("setting", sorted(SETTING_ACTIONS))
def test_negative_screen_gets_rescreen_advice_and_psi_only(setting: str) -> None:
    steps = next_steps(NEGATIVE, setting)
    assert steps.actions == (NO_REFERRAL,)
    assert steps.resources == (PSI_HELPLINE,)


def test_urgent_flag_wins_even_if_a_result_is_built_with_positive_false() -> None:
    odd = ScoreResult("EPDS", (0,) * 9 + (1,), 1, "below_threshold", positive=False, urgent=True)
    assert next_steps(odd, "ob").actions[0] == ASSESS_SAFETY


def test_epds_self_harm_answer_leads_to_safety_assessment() -> None:
    result = score("EPDS", [3, 3, 0, 3, 0, 0, 0, 0, 0, 2])  # item 10 position 2 scores 1
    assert next_steps(result, "pediatric").actions[0] == ASSESS_SAFETY


@pytest.mark.parametrize("setting", ["ED", "", "OB"])
def test_unknown_setting_is_reported_at_setting(setting: str) -> None:
    with pytest.raises(InvalidScreening) as caught:
        next_steps(NEGATIVE, setting)
    assert caught.value.field == "/setting"
