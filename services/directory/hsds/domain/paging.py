"""The HSDS API reference's ``Page``: numbered pages of ``per_page`` records, counted.

The reference pages by number (``page``, from 1, and ``per_page``), not by cursor, and says how
many records and pages there are, so a page is an offset into a stable order (our ids)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Json = dict[str, Any]


def offset(page_number: int, per_page: int) -> int:
    """How many records come before page ``page_number`` (1 is the first)."""
    if page_number < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    return (page_number - 1) * per_page


def page(contents: Sequence[Json], total_items: int, page_number: int, per_page: int) -> Json:
    """The ``Page`` fields of the reference around ``contents``. A page past the end is empty
    and says so; an empty result has no pages."""
    total_pages = -(-total_items // per_page)
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": list(contents),
    }


def slice_of(records: Sequence[Json], page_number: int, per_page: int) -> Json:
    """One page of records that are all in memory (taxonomies, taxonomy terms)."""
    start = offset(page_number, per_page)
    return page(records[start : start + per_page], len(records), page_number, per_page)
