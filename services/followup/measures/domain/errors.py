"""The measures' refusals, as `warmlink.errors` kinds (mapped to problem+json at the HTTP edge)."""

from __future__ import annotations

from typing import Literal

from warmlink.errors import Invalid


class PeriodOutOfRange(Invalid):
    """A period with a day the calendar arithmetic cannot reach (year 0, 9999-12-31): counted
    as asked, it ended in a 500 (the fuzz run's find)."""

    def __init__(self, earliest: str, latest: str, end: Literal["first", "last"]) -> None:
        super().__init__(f"A period's days lie between {earliest} and {latest}.")
        self.end = end  # which of the period's days is out of range
