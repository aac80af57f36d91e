"""The digital warm handoff as the referring site's person fills it in: what the form asks, what
it refuses (next to the field, with what to fix), and the referral it sends.

She is in the room: her name and best number (confirmed with her), her consent, and the fields
only her setting needs (docs/domain.md "The warm handoff"). The request carries the form's
idempotency key, so a double submit makes one referral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.portal.domain import perinatal

COVERAGE = {
    "plan": "Private insurance plan",
    "medicaid": "Medicaid",
    "uninsured": "No insurance",
}
POPULATIONS = {"": "Either", "pregnant": "Pregnant", "postpartum": "Postpartum"}
PHONE = re.compile(r"^[0-9+()\- .]{7,20}$")
INFANT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
METHODS = {"digital": "Digital", "in_room_call": "In-room call"}
# What she is told and sent is written in her language (the referral service's wording).
LANGUAGES = {"en": "English", "es": "Español (Spanish)"}
# Setting -> the one field only it asks for (the referral service refuses the handoff without).
SETTING_FIELDS = {
    "hospital": "planned_discharge_at",
    "pediatric": "infant_visit_ref",
    "iop_php": "last_iop_session_on",
}
# Before she leaves (issue 15 step 4): what may keep her from the first appointment, as the
# referral API's codes (contracts.codes.AccessBarrier), each a checkbox named barrier_<code>.
BARRIERS = {
    "transport": "Getting there",
    "childcare": "Childcare",
    "cost": "Cost",
    "language": "Language",
    "time": "Time off work or school",
    "stigma": "Worry about what others think",
}
# Whether the practice may leave a voicemail or send a text: asked, or left unanswered.
SAFE_CONTACT = {
    "voicemail_safe": "Is it safe to leave her a voicemail?",
    "text_safe": "Is it safe to send her a text?",
}
ANSWERS = {"yes": True, "no": False}

# The IOP/PHP discharge summary, attached to the handoff when it is ready: the referral service
# takes a PDF or UTF-8 text up to 5 MiB (REFERRAL_DOCUMENT_MAX_BYTES' default).
SUMMARY_FIELD = "discharge_summary"
SUMMARY_MAX_BYTES = 5 * 1024 * 1024

REFERRING_KINDS = frozenset({"hospital", "ob", "pediatric", "iop_php"})


def site_setting(site_kind: str | None, screened_in: str) -> str:
    """The setting the form asks for: the referring site's kind in the directory (a hospital's
    L&D or postpartum unit, an OB office, a pediatric office, an IOP/PHP programme), which is
    where she is now; the setting her screen was recorded with when the directory does not say."""
    return site_kind if site_kind in REFERRING_KINDS else screened_in


@dataclass(frozen=True)
class MatchCriteria:
    coverage: str
    plan: str = ""
    population: str = ""

    def errors(self) -> dict[str, str]:
        found = {}
        if self.coverage not in COVERAGE:
            found["coverage"] = "Choose how her care would be paid for."
        elif self.coverage == "plan" and not self.plan.strip():
            found["plan"] = "Enter her plan (for example bcbs-il), or choose another coverage."
        if self.population not in POPULATIONS:
            found["population"] = "Choose pregnant, postpartum or either."
        return found

    def query(self) -> dict[str, str]:
        """The criteria as query parameters (of the matches and the handoff pages alike)."""
        found = {"coverage": self.coverage}
        if self.coverage == "plan":
            found["plan"] = self.plan.strip()
        if self.population:
            found["population"] = self.population
        return found

    def for_referral(self) -> dict[str, Any]:
        body: dict[str, Any] = {"coverage": self.coverage}
        if self.coverage == "plan":
            body["plan"] = self.plan.strip()
        if self.population:
            body["population"] = self.population
        return body


def call_script(item: dict[str, Any], practice_name: str) -> str:
    """What the clinician says when she calls the intake line with the patient in the room
    (docs/domain.md "The warm handoff"), the blanks filled from the screen. The patient's name
    is said aloud, never written here."""
    urgent = (
        " It is urgent: she answered the self-harm question positively."
        if item.get("urgent")
        else ""
    )
    return (
        f"Hello {practice_name}. I have a patient with me now who has a positive "
        f"{item['instrument']} screen ({item['band']}).{urgent} I want to get her scheduled for "
        "an intake appointment. Can you tell her what to expect?"
    )


def handoff_errors(form: dict[str, str], setting: str) -> dict[str, str]:
    """What keeps the form from being sent, by field; empty when it may go."""
    found = {}
    if not form.get("given_name", "").strip():
        found["given_name"] = "Enter her first name."
    if not form.get("family_name", "").strip():
        found["family_name"] = "Enter her last name."
    phone = form.get("phone", "").strip()
    if not phone:
        found["phone"] = "Enter the best number to reach her."
    elif not PHONE.match(phone):
        found["phone"] = "Enter a phone number: digits, spaces, + ( ) - and dots, 7 to 20."
    if not form.get("phone_confirmed"):
        found["phone_confirmed"] = "Read the number back to her and tick when she confirms it."
    if form.get("language", "en") not in LANGUAGES:
        found["language"] = "Choose the language she reads."
    if not form.get("consent"):
        found["consent"] = "She must agree to the referral before it is sent."
    extra = SETTING_FIELDS.get(setting)
    value = form.get(extra or "", "").strip()
    if extra == "infant_visit_ref" and not INFANT_REF.match(value):
        found[extra] = "Enter the infant's visit reference (letters, digits, . _ : -)."
    if extra == "planned_discharge_at" and _local_datetime(value) is None:
        found[extra] = "Enter the planned discharge date and time."
    if extra == "last_iop_session_on" and _date(value) is None:
        found[extra] = "Enter the date of her last IOP/PHP session."
    for name in SAFE_CONTACT:
        if form.get(name, "") not in ("", *ANSWERS):
            found[name] = "Choose yes or no, or leave it unanswered."
    return found | perinatal.errors(form)


def summary_type(content: bytes) -> str | None:
    """The discharge summary's Content-Type from its bytes (what the referral service checks),
    or None when it is neither a PDF nor UTF-8 text, or too large."""
    if not content or len(content) > SUMMARY_MAX_BYTES:
        return None
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain; charset=utf-8"


SUMMARY_REFUSED = "Attach the discharge summary as a PDF or a text file of at most 5 MB."


def barriers_named(form: dict[str, str]) -> list[str]:
    """The barrier codes she named (ticked), in the form's order."""
    return [code for code in BARRIERS if form.get(f"barrier_{code}")]


def referral_body(
    form: dict[str, str],
    item: dict[str, Any],
    criteria: MatchCriteria,
    referrer_id: str,
    zone: ZoneInfo,
    method: str = "digital",
    setting: str | None = None,
) -> dict[str, Any]:
    """The referral API's body (docs/api.md "Submitting"), from a form without errors;
    `setting` as `site_setting` chose it (the screen's own without it)."""
    setting = setting or item["setting"]
    body: dict[str, Any] = {
        "screening_id": item["screening_id"],
        "practice_id": form["practice_id"],
        "service_id": form["service_id"],
        "patient_ref": item["patient_ref"],
        "setting": setting,
        "method": method if method in METHODS else "digital",
        "urgency": "urgent" if item.get("urgent") else "routine",
        "referrer_id": referrer_id,
        "patient": {
            "given_name": form["given_name"].strip(),
            "family_name": form["family_name"].strip(),
            "phone": form["phone"].strip(),
        }
        | {name: ANSWERS[form[name]] for name in SAFE_CONTACT if form.get(name) in ANSWERS}
        | perinatal.weeks(form),
        "consent": {"given": True},
        "match_criteria": criteria.for_referral(),
        "barriers": barriers_named(form),
        "language": form.get("language") or "en",
    }
    extra = SETTING_FIELDS.get(setting)
    if extra == "infant_visit_ref":
        body[extra] = form[extra].strip()
    elif extra == "planned_discharge_at":
        local = _local_datetime(form[extra])
        assert local is not None
        body[extra] = local.replace(tzinfo=zone).isoformat()
    elif extra == "last_iop_session_on":
        body[extra] = form[extra].strip()
    return body


# Where the referral service's refusals land on the form: its JSON pointers, by field.
POINTER_FIELDS = {
    "/patient/given_name": "given_name",
    "/patient/family_name": "family_name",
    "/patient/phone": "phone",
    "/patient": "phone",
    "/consent/given": "consent",
    "/language": "language",
    "/infant_visit_ref": "infant_visit_ref",
    "/planned_discharge_at": "planned_discharge_at",
    "/last_iop_session_on": "last_iop_session_on",
    "/patient/voicemail_safe": "voicemail_safe",
    "/patient/text_safe": "text_safe",
    "/patient/weeks_pregnant": "weeks_pregnant",
    "/patient/weeks_postpartum": "weeks_postpartum",
}


def form_field(pointer: str) -> str | None:
    return POINTER_FIELDS.get(pointer.removeprefix("#"))


def _local_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None
