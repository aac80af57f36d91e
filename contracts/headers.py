"""Kafka record headers used across the network.

Headers duplicate the envelope's type and version so that routers, dead-letter tooling and tracing
can act without parsing the value; the envelope stays the source of truth.
"""

from __future__ import annotations

from contracts.envelope import Envelope

TRACEPARENT = "traceparent"
"""W3C Trace Context of the producing span."""
EVENT_TYPE = "event_type"
EVENT_VERSION = "event_version"

# Added when a consumer moves a record to the dead-letter topic; the value is left untouched.
DLQ_REASON = "dlq_reason"
DLQ_SOURCE_TOPIC = "dlq_source_topic"
DLQ_SOURCE_PARTITION = "dlq_source_partition"
DLQ_SOURCE_OFFSET = "dlq_source_offset"
DLQ_CONSUMER = "dlq_consumer"
DLQ_ERROR = "dlq_error"
"""Exception type and a short message; never the record's content."""
DLQ_ATTEMPTS = "dlq_attempts"


def kafka_headers(envelope: Envelope, traceparent: str | None = None) -> list[tuple[str, bytes]]:
    """The headers to send with an encoded envelope."""
    headers = [
        (EVENT_TYPE, envelope.type.encode()),
        (EVENT_VERSION, str(envelope.version).encode()),
    ]
    if traceparent is not None:
        headers.append((TRACEPARENT, traceparent.encode()))
    return headers
