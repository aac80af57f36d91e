"""National crisis and support lines the directory offers alongside (or instead of) practices.

The patient must leave every visit knowing what to do in a crisis, and nobody may hear "we can't
help you": these constants back the urgent crisis list and the insurance-agnostic fallback.
Kind ``crisis`` is for immediate danger; ``support`` lines help but are not crisis services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ResourceKind = Literal["crisis", "support"]


@dataclass(frozen=True)
class Resource:
    name: str
    contact: str
    kind: ResourceKind
    note: str


LIFELINE_988 = Resource(
    name="988 Suicide & Crisis Lifeline",
    contact="Call or text 988",
    kind="crisis",
    note="24/7 crisis support. For immediate danger call 911.",
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
    note="24/7, free and confidential; call or text. Non-crisis: for immediate danger call 911 "
    "or 988.",
)

URGENT_RESOURCES: tuple[Resource, ...] = (
    LIFELINE_988,
    PSI_HELPLINE,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
)
"""Shown with every urgent match, 988 first."""

NO_INSURANCE_FALLBACK: tuple[Resource, ...] = (PSI_HELPLINE,)
"""Shown when no returned practice is usable without insurance."""
