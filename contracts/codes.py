"""Code sets shared by the events. Reasons are codes, never text: they drive re-routing and metrics.

Adding a value to a code set is a breaking change (v1 consumers validate codes strictly), so a new
code means a new event VERSION; see README.md.
"""

from __future__ import annotations

from enum import StrEnum


class Instrument(StrEnum):
    """Validated screening instrument."""

    EPDS = "EPDS"
    PHQ9 = "PHQ-9"
    PHQ2 = "PHQ-2"
    GAD7 = "GAD-7"


class Setting(StrEnum):
    """Where the referring encounter happens; it decides what a completed warm handoff means."""

    HOSPITAL = "hospital"
    OB = "ob"
    PEDIATRIC = "pediatric"
    IOP_PHP = "iop_php"


class Period(StrEnum):
    """Where the patient is in the perinatal period when screened: EPDS cut-offs may differ."""

    ANTENATAL = "antenatal"
    POSTPARTUM = "postpartum"


class HandoffMethod(StrEnum):
    """How the warm handoff was made before the patient left."""

    DIGITAL = "digital"
    IN_ROOM_CALL = "in_room_call"
    COORDINATOR = "coordinator"


class Urgency(StrEnum):
    """Urgent when the screen's safety item was above zero."""

    ROUTINE = "routine"
    URGENT = "urgent"


class UrgencyReason(StrEnum):
    """Why a referral is urgent: the server's rule, or the referring site's own call."""

    SAFETY_ITEM_POSITIVE = "safety_item_positive"
    """The screen it answers had a positive safety item: urgent whatever the site asked."""
    REQUESTED_BY_SITE = "requested_by_site"
    """The site raised the urgency itself (a client may raise urgency, never lower it)."""


class LevelOfCare(StrEnum):
    """Level of care offered by a service or requested by a referral."""

    OUTPATIENT_THERAPY = "outpatient_therapy"
    PSYCHIATRY = "psychiatry"
    IOP = "iop"
    PHP = "php"


class Modality(StrEnum):
    """How a service or an appointment is delivered."""

    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"


class OrganizationKind(StrEnum):
    """Kind of receiving organization; drives the insurance-agnostic pathway."""

    PRIVATE_PRACTICE = "private_practice"
    COMMUNITY_MENTAL_HEALTH_CENTER = "community_mental_health_center"
    FQHC = "fqhc"
    HOSPITAL_PROGRAM = "hospital_program"
    TELEHEALTH_ONLY = "telehealth_only"


class Funding(StrEnum):
    """Payment a practice accepts (HSDS funding / cost option)."""

    MEDICAID = "medicaid"
    MEDICARE = "medicare"
    COMMERCIAL = "commercial"
    SELF_PAY = "self_pay"
    SLIDING_SCALE = "sliding_scale"
    FREE = "free"


class DeclineReason(StrEnum):
    """Why a receiving practice declined a referral (BSeR 4.0 Declined)."""

    NO_CAPACITY = "no_capacity"
    NOT_CLINICAL_FIT = "not_clinical_fit"
    COVERAGE = "coverage"
    UNABLE_TO_REACH = "unable_to_reach"
    PATIENT_DECLINED = "patient_declined"
    OTHER = "other"


class CancelReason(StrEnum):
    """Why the referring site cancelled its referral (BSeR 5.2 -> 6.0)."""

    PATIENT_DECLINED = "patient_declined"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NO_LONGER_NEEDED = "no_longer_needed"
    DUPLICATE = "duplicate"
    ENTERED_IN_ERROR = "entered_in_error"
    OTHER = "other"


class RedirectReason(StrEnum):
    """Why a referral was routed on to another practice."""

    DECLINED = "declined"
    ACK_OVERDUE = "ack_overdue"
    NO_TIMELY_APPOINTMENT = "no_timely_appointment"
    PATIENT_PREFERENCE = "patient_preference"
    OTHER = "other"


class RedirectHold(StrEnum):
    """Why a redirect the network would make by itself waits for the referring site."""

    NO_MATCH = "no_match"  # no practice left that has not declined or missed it
    # 42 CFR Part 2: it moves only with her fresh consent naming the new practice
    REDISCLOSURE_CONSENT_NEEDED = "redisclosure_consent_needed"


class ContactChannel(StrEnum):
    """Channel of a contact attempt (the channel only, never the number or address used)."""

    PHONE = "phone"
    SMS = "sms"
    PORTAL = "portal"
    EMAIL = "email"


class ContactOutcome(StrEnum):
    """Result of one attempt by the practice to reach the patient."""

    REACHED = "reached"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    INVALID_CONTACT = "invalid_contact"
    PATIENT_DECLINED = "patient_declined"


class AppointmentParty(StrEnum):
    """Who cancelled an appointment."""

    PATIENT = "patient"
    PRACTICE = "practice"


class AppointmentCancelReason(StrEnum):
    """Why an appointment was cancelled (BSeR 5.1.3)."""

    PATIENT_REQUEST = "patient_request"
    RESCHEDULED = "rescheduled"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    COVERAGE = "coverage"
    OTHER = "other"


class ClosureOutcome(StrEnum):
    """How the loop closed (BSeR 7.0)."""

    IN_CARE = "in_care"
    UNABLE_TO_REACH = "unable_to_reach"
    PATIENT_DECLINED = "patient_declined"
    NOT_ATTENDED = "not_attended"
    CARE_ELSEWHERE = "care_elsewhere"
    OTHER = "other"


class FollowUpKind(StrEnum):
    """Which follow-up the referring site's coordinator owes."""

    SCHEDULING_CHECK = "scheduling_check"
    """7 to 10 days after referral: confirm the patient is scheduled."""
    NEXT_VISIT_CHECK = "next_visit_check"
    """At the patient's next visit: confirm scheduled and attended."""


class FollowUpOutcome(StrEnum):
    """What the coordinator found."""

    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    NOT_SCHEDULED = "not_scheduled"
    NOT_ATTENDED = "not_attended"
    UNABLE_TO_REACH = "unable_to_reach"


class FollowUpBarrier(StrEnum):
    """Why care did not happen, recorded so the site can re-engage and the network can learn."""

    NO_CAPACITY = "no_capacity"
    WAIT_TOO_LONG = "wait_too_long"
    COVERAGE = "coverage"
    COST = "cost"
    TRANSPORTATION = "transportation"
    CHILDCARE = "childcare"
    SCHEDULING_CONFLICT = "scheduling_conflict"
    PATIENT_DECLINED = "patient_declined"
    UNABLE_TO_REACH = "unable_to_reach"
    OTHER = "other"


class ReEngagementStep(StrEnum):
    """What the coordinator tried to bring her back to care, recorded beside the barrier."""

    CALLED = "called"
    TEXTED = "texted"
    MET_AT_VISIT = "met_at_visit"
    CALLED_PRACTICE = "called_practice"
    RE_REFERRED = "re_referred"
    OFFERED_TELEHEALTH = "offered_telehealth"
    ARRANGED_TRANSPORT = "arranged_transport"
    ARRANGED_CHILDCARE = "arranged_childcare"
    HELPED_WITH_COVERAGE = "helped_with_coverage"
    OTHER = "other"


class AccessBarrier(StrEnum):
    """What may keep her from the first appointment, asked before she leaves the referring
    site (issue 15 step 4); codes only, so the network can count them without a word about her."""

    TRANSPORT = "transport"
    CHILDCARE = "childcare"
    COST = "cost"
    LANGUAGE = "language"
    TIME = "time"
    STIGMA = "stigma"


class GateKind(StrEnum):
    """A moment before which the patient must leave with an appointment, by setting
    (docs/domain.md)."""

    HOSPITAL_DISCHARGE = "hospital_discharge"
    IOP_LAST_SESSION = "iop_last_session"


class GateRequirement(StrEnum):
    """What must be true before a gate."""

    APPOINTMENT = "appointment"
    DISCHARGE_SUMMARY = "discharge_summary"


class TaskKind(StrEnum):
    """The coordinator task a follow-up came from (FollowUpKind is the coarser, released code)."""

    SCHEDULING_CHECK = "scheduling_check"
    NEXT_VISIT_CHECK = "next_visit_check"
    ACK_OVERDUE = "ack_overdue"
    DISCHARGE_GATE = "discharge_gate"
    IOP_GATE = "iop_gate"


class SlaKind(StrEnum):
    """Which time rule of the warm handoff was broken."""

    ACK_OVERDUE = "ack_overdue"
    FOLLOWUP_OVERDUE = "followup_overdue"
    DISCHARGE_WITHOUT_APPOINTMENT = "discharge_without_appointment"
    IOP_LAST_SESSION_WITHOUT_APPOINTMENT = "iop_last_session_without_appointment"


class ScreenClosureReason(StrEnum):
    """Why a positive screen was closed without a referral (docs/api.md, "Accounting for a
    positive screen"). `other` needs a note, which stays sealed at the site: never in an event."""

    ALREADY_IN_CARE = "already_in_care"
    DECLINED_AFTER_CONVERSATION = "declined_after_conversation"
    TRANSFERRED = "transferred"
    SEEN_IN_EMERGENCY_DEPARTMENT = "seen_in_emergency_department"
    OTHER = "other"


class SafetyAssessmentOutcome(StrEnum):
    """What the risk assessment after a positive safety item found or did (ACOG: immediate)."""

    NO_CURRENT_RISK = "no_current_risk"  # assessed, no current risk
    CRISIS_LINE_CONTACTED = "crisis_line_contacted"
    EMERGENCY_EVALUATION = "emergency_evaluation"
    DECLINED = "declined"  # she declined the assessment


class EscalationLevel(StrEnum):
    """Whose task an unaccounted positive screen became: first the site's coordinator, then the
    network's."""

    SITE_COORDINATOR = "site_coordinator"
    NETWORK_COORDINATOR = "network_coordinator"
