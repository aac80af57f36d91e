"""The pure screening domain: instruments, scoring, thresholds and next steps. No I/O."""

from contracts.resources import (
    LIFELINE_988,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
    PSI_HELPLINE,
    Resource,
)
from services.screening.domain.errors import InvalidScreening
from services.screening.domain.instruments import (
    EPDS,
    GAD7,
    INSTRUMENTS,
    PHQ2,
    PHQ9,
    Instrument,
    get_instrument,
)
from services.screening.domain.interpretation import Interpretation
from services.screening.domain.next_steps import (
    CRISIS_RESOURCES,
    SETTINGS,
    NextSteps,
    next_steps,
)
from services.screening.domain.scoring import ScoreResult, score
from services.screening.domain.thresholds import EpdsCutoffs, Thresholds

__all__ = [
    "CRISIS_RESOURCES",
    "EPDS",
    "GAD7",
    "INSTRUMENTS",
    "LIFELINE_988",
    "MATERNAL_MENTAL_HEALTH_HOTLINE",
    "PHQ2",
    "PHQ9",
    "PSI_HELPLINE",
    "SETTINGS",
    "EpdsCutoffs",
    "Instrument",
    "Interpretation",
    "InvalidScreening",
    "NextSteps",
    "Resource",
    "ScoreResult",
    "Thresholds",
    "get_instrument",
    "next_steps",
    "score",
]
