"""Envelope: wrapping, the wire round trip, decode errors, and UUIDv7 event ids."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from contracts import (
    EventPayload,
    UndecodableEvent,
    decode,
    encode,
    new_event_id,
    payload_of,
    wrap,
)
from contracts.headers import kafka_headers


def test_round_trip_every_event(samples: dict[tuple[str, int], EventPayload]) -> None:
    for payload in samples.values():
        envelope = wrap(payload, producer="referral")
        decoded = decode(encode(envelope))
        assert decoded == envelope
        assert payload_of(decoded) == payload
        assert decoded.subject == payload.subject()
        assert (decoded.type, decoded.version) == (payload.TYPE, payload.VERSION)


def test_encode_is_compact_utf8_json(samples: dict[tuple[str, int], EventPayload]) -> None:
    raw = encode(wrap(samples[("ScreenPositive", 1)], producer="screening"))
    assert b": " not in raw and b", " not in raw
    assert json.loads(raw.decode("utf-8"))["data"]["instrument"] == "EPDS"


def test_wrap_chains_correlation_and_causation(
    samples: dict[tuple[str, int], EventPayload],
) -> None:
    first = wrap(samples[("ScreenPositive", 1)], producer="screening")
    assert first.correlation_id == first.event_id and first.causation_id is None
    second = wrap(samples[("ReferralSubmitted", 1)], producer="referral", causation=first)
    assert second.correlation_id == first.correlation_id
    assert second.causation_id == first.event_id
    explicit = uuid.uuid4()
    third = wrap(samples[("IntakeAcknowledged", 1)], producer="referral", correlation_id=explicit)
    assert third.correlation_id == explicit


def test_occurred_at_is_normalised_to_utc(samples: dict[tuple[str, int], EventPayload]) -> None:
    chicago_winter = timezone(timedelta(hours=-6))
    local = datetime(2025, 3, 4, 9, 30, tzinfo=chicago_winter)
    envelope = wrap(samples[("ScreenPositive", 1)], producer="screening", occurred_at=local)
    assert envelope.occurred_at == local and envelope.occurred_at.utcoffset() == timedelta(0)
    assert wrap(samples[("ScreenPositive", 1)], producer="x").occurred_at.tzinfo is not None


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (None, "tombstone"),
        (b"not json", "not UTF-8 JSON"),
        (b"\xff\xfe\x00", "not UTF-8 JSON"),
        (b"[]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"{}", "event_id (missing)"),
        (b'{"type": "ScreenPositive"}', "invalid envelope"),
    ],
)
def test_decode_rejects_with_reason(raw: bytes | None, fragment: str) -> None:
    with pytest.raises(UndecodableEvent) as caught:
        decode(raw)
    assert fragment in caught.value.reason
    assert str(caught.value) == caught.value.reason


def _raw_envelope(samples: dict[tuple[str, int], EventPayload], **changes: object) -> bytes:
    document = json.loads(encode(wrap(samples[("ScreenPositive", 1)], producer="screening")))
    document.update(changes)
    return json.dumps(document).encode()


def test_unknown_type_or_version_is_undecodable(
    samples: dict[tuple[str, int], EventPayload],
) -> None:
    with pytest.raises(UndecodableEvent, match="unknown event type NoSuchThing v1"):
        payload_of(decode(_raw_envelope(samples, type="NoSuchThing")))
    with pytest.raises(UndecodableEvent, match="unknown event type ScreenPositive v9"):
        payload_of(decode(_raw_envelope(samples, version=9)))


def test_invalid_data_reason_names_fields_never_values(
    samples: dict[tuple[str, int], EventPayload],
) -> None:
    secret = "Jane Example 555-0100"
    data = {"screening_id": "nope", "site_id": secret, "total": secret, "patient_ref": secret}
    with pytest.raises(UndecodableEvent) as caught:
        payload_of(decode(_raw_envelope(samples, data=data)))
    reason = caught.value.reason
    assert reason.startswith("invalid ScreenPositive v1 data:")
    assert "screening_id" in reason and "total" in reason
    assert secret not in reason and "Jane" not in reason and "nope" not in reason
    with pytest.raises(UndecodableEvent) as caught:
        decode(_raw_envelope(samples, subject=secret))
    assert "subject" in caught.value.reason and secret not in caught.value.reason


def test_unknown_fields_are_ignored(samples: dict[tuple[str, int], EventPayload]) -> None:
    raw = _raw_envelope(samples, added_in_future="x")
    document = json.loads(raw)
    document["data"]["added_in_future"] = {"nested": 1}
    envelope = decode(json.dumps(document).encode())
    assert payload_of(envelope) == samples[("ScreenPositive", 1)]
    assert "added_in_future" not in envelope.model_dump()


def test_payloads_and_envelopes_are_frozen(samples: dict[tuple[str, int], EventPayload]) -> None:
    payload = samples[("ScreenPositive", 1)]
    with pytest.raises(ValueError, match="frozen"):
        payload.total = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        wrap(payload, producer="screening").producer = "other"  # type: ignore[misc]


def test_uuid7_version_variant_time_and_order() -> None:
    before_ms = int(datetime.now(UTC).timestamp() * 1000)
    ids = [new_event_id() for _ in range(5000)]
    after_ms = int(datetime.now(UTC).timestamp() * 1000)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)  # text order too
    for event_id in ids[:: len(ids) // 50]:
        assert event_id.version == 7
        assert event_id.variant == uuid.RFC_4122
        assert before_ms <= event_id.int >> 80 <= after_ms + 5  # counter overflow may add a ms


def test_kafka_headers_mirror_the_envelope(samples: dict[tuple[str, int], EventPayload]) -> None:
    envelope = wrap(samples[("ReferralDeclined", 1)], producer="referral")
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert dict(kafka_headers(envelope, trace)) == {
        "event_type": b"ReferralDeclined",
        "event_version": b"1",
        "traceparent": trace.encode(),
    }
