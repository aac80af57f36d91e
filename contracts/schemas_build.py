"""JSON Schemas of the payloads and the envelope, as published in ``contracts/schemas``."""

from __future__ import annotations

from typing import Any

from contracts.base import EventPayload
from contracts.envelope import Envelope
from contracts.events.referral import ReferralEvent
from contracts.lifecycle import FHIR_STATUS
from contracts.topics import topic

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_ID = "urn:warmlink:envelope:v1"


def schema_id(cls: type[EventPayload]) -> str:
    """The ``$id`` of an event's schema."""
    return f"urn:warmlink:event:{cls.TYPE}:v{cls.VERSION}"


def schema_file_name(cls: type[EventPayload]) -> str:
    """File name of an event's schema in ``schemas/`` and ``released/``."""
    return f"{cls.TYPE}.v{cls.VERSION}.json"


def event_schema(cls: type[EventPayload]) -> dict[str, Any]:
    """The payload's JSON Schema, with identity and routing annotations."""
    schema = cls.model_json_schema()
    schema.update(
        {
            "$schema": DRAFT,
            "$id": schema_id(cls),
            "title": cls.TYPE,
            "x-type": cls.TYPE,
            "x-version": cls.VERSION,
            "x-topic": cls.TOPIC,
            "x-subject": cls.SUBJECT_FIELD,
            "x-key": topic(cls.TOPIC).key,
        }
    )
    if issubclass(cls, ReferralEvent) and cls.STATUS is not None:
        # The state after the event and its FHIR mapping, so EHR bridges need no other table.
        fhir = FHIR_STATUS[cls.STATUS]
        schema["x-referral-status"] = str(cls.STATUS)
        schema["x-fhir-task-status"] = fhir.task_status
        schema["x-bser-business-status"] = {
            "code": fhir.business_status_code,
            "display": fhir.business_status_display,
        }
    return schema


def envelope_schema() -> dict[str, Any]:
    """The envelope's JSON Schema; ``data`` follows the event schema named by type+version."""
    schema = Envelope.model_json_schema()
    schema.update({"$schema": DRAFT, "$id": ENVELOPE_ID, "title": "Envelope"})
    return schema
