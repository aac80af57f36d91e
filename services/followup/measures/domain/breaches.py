"""SLA breaches detected in a window (e.g. today), counted for the dashboard. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from services.followup.measures.domain.facts import Breach


def breaches_summary(breaches: Sequence[Breach]) -> dict[str, Any]:
    return {
        "total": len(breaches),
        "urgent": sum(b.urgent for b in breaches),
        "by_kind": dict(sorted(Counter(b.kind for b in breaches).items())),
        "by_practice": dict(sorted(Counter(b.practice_id for b in breaches).items())),
        "breaches": [
            {
                "referral_id": str(b.referral_id),
                "kind": b.kind,
                "site_id": b.site_id,
                "practice_id": b.practice_id,
                "detected_at": b.detected_at.isoformat(),
                "urgent": b.urgent,
            }
            for b in breaches
        ],
    }
