"""Constrained scalar types used by event fields.

Identifiers and codes are pattern-constrained on purpose: a string field that accepts spaces and
arbitrary length is a free-text field in disguise, and events must never carry free text about a
patient (see ``contracts.privacy``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"

OrgId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=_ID_PATTERN,
        description="Organization id of a referring site or receiving practice (directory id).",
    ),
]
ServiceId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=_ID_PATTERN,
        description="Directory id of one service of a practice (HSDS service).",
    ),
]
StaffId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=_ID_PATTERN,
        description="User id of the staff member who acted (never their name).",
    ),
]
PatientRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=_ID_PATTERN,
        description="The referring site's pseudonymous patient reference (not an MRN, not a name).",
    ),
]
CodeValue = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="A snake_case code from a configured code set.",
    ),
]
StateCode = Annotated[
    str, Field(pattern=r"^[A-Z]{2}$", description="USPS two-letter state or territory code.")
]
LanguageTag = Annotated[
    str,
    Field(
        max_length=16,
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="BCP 47 language tag, e.g. 'en' or 'es-MX'.",
    ),
]
TimeZoneName = Annotated[
    str,
    Field(
        max_length=64,
        pattern=r"^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$",
        description="IANA time zone name, e.g. 'America/Chicago'.",
    ),
]
