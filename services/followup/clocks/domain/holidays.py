"""Public holidays of the network's country and subdivision, from the `holidays` package.

The package computes holidays (including observed days, such as a Friday for a Saturday
Independence Day) for any year on demand; nothing is fetched, so the domain can use it.
"""

from __future__ import annotations

from datetime import date

import holidays

from services.followup.clocks.domain.calendar import HolidayCheck


def public_holidays(country: str, subdivision: str | None = None) -> HolidayCheck:
    """A check for the public holidays of ``country`` (ISO 3166-1) and its ``subdivision``."""
    table = holidays.country_holidays(country, subdiv=subdivision)

    def is_holiday(day: date) -> bool:
        return day in table

    return is_holiday
