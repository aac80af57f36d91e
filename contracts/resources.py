"""The national lines every Warmlink answer may hand a patient, defined once for all services.

Screening lists them with every screen, matching with urgent requests and when no option is
usable without insurance, the referral confirmation and the patient's email and SMS with every
handoff. One definition, so a number can never differ between what the clinician reads and what
the patient receives. Kind ``crisis`` is for immediate danger; ``support`` lines help but are
not crisis services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ResourceKind = Literal["crisis", "support"]


@dataclass(frozen=True)
class Resource:
    """A phone/text line given to the patient."""

    name: str
    contact: str
    kind: ResourceKind
    note: str


LIFELINE_988 = Resource(
    name="988 Suicide & Crisis Lifeline",
    contact="Call or text 988",
    kind="crisis",
    note="24/7 crisis line: for thoughts of self-harm or any mental health crisis. For immediate "
    "danger call 911.",
)
PSI_HELPLINE = Resource(
    name="Postpartum Support International (PSI) HelpLine",
    contact="1-800-944-4773",
    kind="support",
    note="Not a crisis line. Free; connects families to perinatal support and local resources, "
    "including options without insurance.",
)
MATERNAL_MENTAL_HEALTH_HOTLINE = Resource(
    name="National Maternal Mental Health Hotline",
    contact="1-833-TLC-MAMA (1-833-852-6262)",
    kind="support",
    note="24/7, free and confidential; call or text. Not a crisis line: it refers callers in "
    "crisis to 988.",
)

# Crisis line first: in an urgent moment the first thing read must be the crisis line.
CRISIS_LINES: tuple[Resource, ...] = (LIFELINE_988, PSI_HELPLINE, MATERNAL_MENTAL_HEALTH_HOTLINE)
