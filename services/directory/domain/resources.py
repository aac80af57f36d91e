"""National crisis and support lines the directory offers alongside (or instead of) practices.

The patient must leave every visit knowing what to do in a crisis, and nobody may hear "we can't
help you": these constants back the urgent crisis list and the insurance-agnostic fallback.
Kind ``crisis`` is for immediate danger; ``support`` lines help but are not crisis services.
"""

from __future__ import annotations

from contracts.resources import (
    LIFELINE_988,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
    PSI_HELPLINE,
    Resource,
)

URGENT_RESOURCES: tuple[Resource, ...] = (
    LIFELINE_988,
    PSI_HELPLINE,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
)
"""Shown with every urgent match, 988 first."""

NO_INSURANCE_FALLBACK: tuple[Resource, ...] = (PSI_HELPLINE,)
"""Shown when no returned practice is usable without insurance."""
