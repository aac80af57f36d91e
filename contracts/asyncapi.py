"""The AsyncAPI 3.0.0 document of the network, generated from the topic table and the payloads.

Schemas are inlined under ``components.schemas`` (pydantic refs rewritten to point there), so the
document is self-contained. Each message's payload is the envelope with ``data`` narrowed to the
event's schema; its headers are the Kafka headers from ``contracts.headers``.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from contracts import headers
from contracts.base import EventPayload
from contracts.envelope import Envelope
from contracts.registry import EVENTS
from contracts.topics import TOPICS, Topic

KAFKA_BINDING_VERSION = "0.5.0"
_REF_TEMPLATE = "#/components/schemas/{model}"
_DEAD_LETTER_MESSAGE = "DeadLetter"


def message_id(cls: type[EventPayload]) -> str:
    """Key of an event's message in channels and components, e.g. ``ScreenPositive.v1``."""
    return f"{cls.TYPE}.v{cls.VERSION}"


def channel_id(row: Topic) -> str:
    """Short channel key: the middle of the topic name (``warmlink.referral.v1`` -> referral)."""
    return row.name.split(".")[1]


def _component_schemas(classes: list[type[EventPayload]]) -> dict[str, Any]:
    models: list[tuple[type[Any], Any]] = [(Envelope, "validation")]
    models += [(cls, "validation") for cls in classes]
    _, top = models_json_schema(models, ref_template=_REF_TEMPLATE)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    schemas["KafkaHeaders"] = {
        "type": "object",
        "properties": {
            headers.TRACEPARENT: {
                "type": "string",
                "description": "W3C Trace Context of the producing span.",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            },
            headers.EVENT_TYPE: {"type": "string", "description": "Same as envelope type."},
            headers.EVENT_VERSION: {
                "type": "string",
                "pattern": "^[0-9]+$",
                "description": "Same as envelope version, in decimal.",
            },
        },
        "required": [headers.EVENT_TYPE, headers.EVENT_VERSION],
    }
    schemas["DeadLetterHeaders"] = {
        "type": "object",
        "description": "The original record's headers, plus where it came from and why it failed.",
        "properties": {
            headers.DLQ_REASON: {"type": "string", "description": "Short reason, no values."},
            headers.DLQ_SOURCE_TOPIC: {"type": "string"},
            headers.DLQ_SOURCE_PARTITION: {"type": "string", "pattern": "^[0-9]+$"},
            headers.DLQ_SOURCE_OFFSET: {"type": "string", "pattern": "^[0-9]+$"},
            headers.DLQ_CONSUMER: {"type": "string", "description": "Consumer group."},
        },
        "required": [headers.DLQ_REASON, headers.DLQ_SOURCE_TOPIC],
    }
    return schemas


def _event_message(cls: type[EventPayload], row: Topic) -> dict[str, Any]:
    narrowed = {
        "type": "object",
        "properties": {
            "type": {"const": cls.TYPE},
            "version": {"const": cls.VERSION},
            "subject": {"description": f"The {cls.SUBJECT_FIELD} of data."},
            "data": {"$ref": _REF_TEMPLATE.format(model=cls.__name__)},
        },
    }
    return {
        "name": cls.TYPE,
        "title": f"{cls.TYPE} v{cls.VERSION}",
        "summary": (cls.__doc__ or cls.TYPE).strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/KafkaHeaders"},
        "payload": {"allOf": [{"$ref": "#/components/schemas/Envelope"}, narrowed]},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": row.key},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _dead_letter_message() -> dict[str, Any]:
    return {
        "name": _DEAD_LETTER_MESSAGE,
        "title": "Dead letter",
        "summary": "A record a consumer could not decode or handle, value unchanged.",
        "contentType": "application/octet-stream",
        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
        "payload": {"description": "The original record value, byte for byte (may not be JSON)."},
    }


def _messages_by_topic() -> dict[str, list[type[EventPayload]]]:
    by_topic: dict[str, list[type[EventPayload]]] = {row.name: [] for row in TOPICS}
    for key in sorted(EVENTS):
        cls = EVENTS[key]
        by_topic[cls.TOPIC].append(cls)
    return by_topic


def build_asyncapi() -> dict[str, Any]:
    """The whole AsyncAPI document as a JSON-ready dict."""
    by_topic = _messages_by_topic()
    messages: dict[str, Any] = {_DEAD_LETTER_MESSAGE: _dead_letter_message()}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for row in TOPICS:
        channel = channel_id(row)
        ids = [message_id(cls) for cls in by_topic[row.name]] or [_DEAD_LETTER_MESSAGE]
        for cls in by_topic[row.name]:
            messages[message_id(cls)] = _event_message(cls, row)
        channels[channel] = {
            "address": row.name,
            "description": f"Key: {row.key}.",
            "messages": {mid: {"$ref": f"#/components/messages/{mid}"} for mid in ids},
            "bindings": {
                "kafka": {
                    "topic": row.name,
                    "partitions": row.partitions,
                    "topicConfiguration": {"retention.ms": row.retention_ms},
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
        for action, services in (("send", row.producers), ("receive", row.consumers)):
            for service in services:
                operations[f"{service}.{action}.{channel}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "summary": f"The {service} service {action}s {row.name}.",
                    "messages": [{"$ref": f"#/channels/{channel}/messages/{mid}"} for mid in ids],
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Warmlink integration events",
            "version": "1.0.0",
            "description": "Events of the Warmlink perinatal mental health referral network. "
            "Consumers must ignore unknown fields; see contracts/README.md for evolution rules.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": _component_schemas([EVENTS[key] for key in sorted(EVENTS)]),
        },
    }
