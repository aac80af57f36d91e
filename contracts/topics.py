"""The Kafka topic table of the network: names, keys, sizing, retention, who writes and who reads.

The broker is never the system of record: every producer keeps a transactional outbox and can
re-publish, so event topics keep a week (enough to ride out a long outage of a consumer), and
only the dead-letter topic keeps a month, long enough for a person to look at it.
"""

from __future__ import annotations

from dataclasses import dataclass

SCREENING = "warmlink.screening.v1"
DIRECTORY = "warmlink.directory.v1"
REFERRAL = "warmlink.referral.v1"
FOLLOWUP = "warmlink.followup.v1"
# Positive screens' accounting, keyed by screening_id: the site's closures and assessments
# (referral -> follow-up), and the clocks' escalations (follow-up -> referral).
WORKLIST = "warmlink.worklist.v1"
ESCALATION = "warmlink.escalation.v1"
DEAD_LETTER = "warmlink.deadletter.v1"

SERVICES: tuple[str, ...] = ("screening", "directory", "referral", "followup", "portal")

# Partitions bound the members of a consumer group that get work: a service's consumers run in
# every replica, so a group of R replicas needs R <= PARTITIONS, and an even share needs R to
# divide it. 12 divides evenly over 1, 2, 3, 4, 6 and 12 replicas (two per zone in three zones is
# 6; a rolling update's surge stays under 12). Throughput does not set it: one replica applies
# thousands of events a second (docs/benchmarks.md), a region's peak is a few (deploy/k8s/
# KAFKA-AND-POSTGRES.md). A count can only grow, and growing moves keys between partitions (a
# referral's order is per partition), so it is chosen once with room. Every environment uses it:
# keys hash alike in development, tests and production.
PARTITIONS = 12
_DAY_MS = 24 * 60 * 60 * 1000
EVENT_RETENTION_MS = 7 * _DAY_MS
DEAD_LETTER_RETENTION_MS = 30 * _DAY_MS


@dataclass(frozen=True)
class Topic:
    """One row of the topic table."""

    name: str
    key: str
    partitions: int
    retention_ms: int
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    events: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        name=SCREENING,
        key="screening_id",
        partitions=PARTITIONS,
        retention_ms=EVENT_RETENTION_MS,
        producers=("screening",),
        consumers=("referral", "followup"),
        events=("ScreenPositive",),
    ),
    Topic(
        name=DIRECTORY,
        key="practice_id (organization id of the practice)",
        partitions=PARTITIONS,
        retention_ms=EVENT_RETENTION_MS,
        producers=("directory",),
        consumers=("followup", "portal"),
        events=("PracticeRegistered", "PracticeUpdated", "CapacityUpdated", "CapacityNearingStale"),
    ),
    Topic(
        # Keyed by referral: one referral's events stay on one partition, in order.
        name=REFERRAL,
        key="referral_id",
        partitions=PARTITIONS,
        retention_ms=EVENT_RETENTION_MS,
        producers=("referral",),
        consumers=("directory", "followup", "portal"),
        events=(
            "ReferralSubmitted",
            "IntakeAcknowledged",
            "ReferralDeclined",
            "ReferralRedirected",
            "RedirectHeld",
            "PatientContacted",
            "AppointmentScheduled",
            "AppointmentAttended",
            "AppointmentMissed",
            "AppointmentCancelled",
            "ReferralCancelled",
            "ReferralClosed",
            "DischargeSummaryDelivered",
            "OutpatientAppointmentConfirmed",
            "PlannedDischargeMoved",
        ),
    ),
    Topic(
        name=FOLLOWUP,
        key="referral_id",
        partitions=PARTITIONS,
        retention_ms=EVENT_RETENTION_MS,
        producers=("followup",),
        # The follow-up measures read back their own service's SLA breaches and completions.
        consumers=("referral", "followup", "portal"),
        events=(
            "FollowUpDue",
            "FollowUpCompleted",
            "SlaBreached",
            "GateAlertRaised",
            "UrgentAcknowledgementOverdue",
        ),
    ),
    Topic(
        name=WORKLIST,
        key="screening_id",
        partitions=PARTITIONS,
        retention_ms=EVENT_RETENTION_MS,
        producers=("referral",),
        consumers=("followup",),
        events=("SafetyAssessmentRecorded", "PositiveScreenClosed"),
    ),
    Topic(
        name=ESCALATION,
        key="screening_id",
        partitions=PARTITIONS,
        retention_ms=EVENT_RETENTION_MS,
        producers=("followup",),
        consumers=("referral", "portal"),
        events=("PositiveScreenEscalated",),
    ),
    Topic(
        # Records a consumer could not decode or handle, value unchanged, reason in the headers.
        name=DEAD_LETTER,
        key="the original record's key, unchanged",
        partitions=PARTITIONS,
        retention_ms=DEAD_LETTER_RETENTION_MS,
        producers=SERVICES,
        consumers=(),
        events=(),
    ),
)


def topic(name: str) -> Topic:
    """The table row for a topic name; KeyError for a name that is not in the table."""
    for row in TOPICS:
        if row.name == name:
            return row
    raise KeyError(name)


def used_by(service: str) -> tuple[Topic, ...]:
    """The rows a service produces to or consumes: all its Kafka user may see in production
    (the KafkaUser ACLs that tools/deploy/strimzi.py writes from this table)."""
    return tuple(row for row in TOPICS if service in row.producers or service in row.consumers)
