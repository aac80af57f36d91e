"""A FHIR R4 searchset Bundle: the page of matches, the total and the paging links."""

from __future__ import annotations

from typing import Any


def searchset(
    resources: list[dict[str, Any]],
    total: int,
    base_url: str,
    self_url: str,
    next_url: str | None,
) -> dict[str, Any]:
    """The Bundle answering a search: `resources` (this page) of `total`, each entry's fullUrl
    under `base_url`; `next_url` when a further page exists."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
