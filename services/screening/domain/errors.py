"""The one error the screening domain raises for bad input.

It carries a JSON-pointer-like ``field`` so that an API layer can turn it into a
field-level validation problem without parsing the message.
"""

from __future__ import annotations


class InvalidScreening(ValueError):
    """A screening input that cannot be scored.

    ``field`` points at the offending input, e.g. ``"/instrument"``, ``"/answers"``
    (wrong number of answers) or ``"/answers/3"`` (the fourth answer, zero-based).
    ``detail`` is a sentence a clinician-facing client can show as-is.
    """

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail
