"""Base classes shared by every integration event payload.

Payloads are immutable facts: frozen, and tolerant readers (``extra="ignore"``) so that a producer
may add optional fields without breaking consumers that were built against an older schema.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class ContractModel(BaseModel):
    """Frozen, unknown-field-tolerant model used for payloads and the value objects inside them."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class EventPayload(ContractModel):
    """The ``data`` of one integration event.

    Every concrete subclass sets the four class variables below; intermediate bases (such as the
    common referral fields) set only TOPIC and SUBJECT_FIELD and are never registered.
    """

    TYPE: ClassVar[str]
    """PascalCase, past-tense event name, e.g. ``"ScreenPositive"``."""
    VERSION: ClassVar[int]
    """Schema version: a breaking change is a new class with VERSION + 1, published alongside."""
    TOPIC: ClassVar[str]
    """Kafka topic the event is published to (a name from ``contracts.topics``)."""
    SUBJECT_FIELD: ClassVar[str]
    """Name of the field whose value is the Kafka key and the envelope subject."""

    def subject(self) -> str:
        """The Kafka key: all events about one subject land on one partition, in order."""
        return str(getattr(self, self.SUBJECT_FIELD))
