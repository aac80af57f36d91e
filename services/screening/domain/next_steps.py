"""What the clinician should do next, and which resources travel with the patient.

The patient must leave the visit knowing who will contact her, when, and what to do in
a crisis. So a referral is always a warm handoff made while she is present, an urgent
screen starts with a safety assessment, and every screen hands over at least one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.resources import (
    CRISIS_LINES,
    LIFELINE_988,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
    PSI_HELPLINE,
    Resource,
)
from services.screening.domain.errors import InvalidScreening
from services.screening.domain.scoring import ScoreResult

# Crisis line first: in an urgent screen the first thing read must be the crisis line.
CRISIS_RESOURCES: tuple[Resource, ...] = CRISIS_LINES

ASSESS_SAFETY = (
    "Assess safety now, before the patient leaves: the self-harm item was answered above zero."
)
WARM_HANDOFF = (
    "Make a warm handoff today: choose a named practice and submit the referral "
    "while the patient is present."
)
NO_REFERRAL = "No referral indicated by this screen; rescreen per schedule (ACOG/AAP)."

# What must be true in each setting for the handoff to hold (docs/domain.md, "The warm handoff,
# by method and setting").
# These only apply when a referral is made; an OB visit needs nothing beyond the handoff.
_SETTING_ACTIONS: dict[str, tuple[str, ...]] = {
    "hospital": ("Confirm an outpatient appointment before discharge.",),
    "ob": (),
    "pediatric": ("Frame the referral as part of the infant's care (dyad).",),
    "iop_php": ("Schedule the first outpatient appointment before the last IOP/PHP session.",),
}
SETTINGS: frozenset[str] = frozenset(_SETTING_ACTIONS)


@dataclass(frozen=True)
class NextSteps:
    """Actions for the clinician, in order, and resources for the patient, in order."""

    actions: tuple[str, ...]
    resources: tuple[Resource, ...]


def next_steps(result: ScoreResult, setting: str) -> NextSteps:
    """Next steps for a scored screen taken in ``setting`` (hospital, ob, pediatric, iop_php).

    Raises ``InvalidScreening`` (field ``"/setting"``) for an unknown setting.
    """
    if setting not in _SETTING_ACTIONS:
        known = ", ".join(sorted(SETTINGS))
        raise InvalidScreening("/setting", f"unknown setting {setting!r}; expected one of {known}")
    if result.urgent:
        return NextSteps(
            actions=(ASSESS_SAFETY, WARM_HANDOFF, *_SETTING_ACTIONS[setting]),
            resources=CRISIS_RESOURCES,
        )
    if result.positive:
        return NextSteps(
            actions=(WARM_HANDOFF, *_SETTING_ACTIONS[setting]),
            # Support lines fit a non-urgent positive screen, but 988 always travels with a
            # referral: symptoms can change before the first appointment.
            resources=(PSI_HELPLINE, MATERNAL_MENTAL_HEALTH_HOTLINE, LIFELINE_988),
        )
    return NextSteps(actions=(NO_REFERRAL,), resources=(PSI_HELPLINE,))
