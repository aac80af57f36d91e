"""The one error the screening domain raises for bad input.

It is a `warmlink.errors.Invalid` (and a ValueError, as bad input is), so the HTTP edge answers
it as a 422 whose field path is the error's `field`, without any route catching it.
"""

from __future__ import annotations

from warmlink.errors import Invalid


class InvalidScreening(Invalid, ValueError):
    """A screening input that cannot be scored.

    ``field`` points at the offending input, e.g. ``"/instrument"``, ``"/answers"``
    (wrong number of answers) or ``"/answers/3"`` (the fourth answer, zero-based).
    ``detail`` is a sentence a clinician-facing client can show as-is.
    """

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, field=field)
