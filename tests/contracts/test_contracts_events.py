"""Registry, topic table and the routing facts each event class declares."""

from __future__ import annotations

import pytest

from contracts import EventPayload
from contracts.events.referral import ReferralEvent
from contracts.lifecycle import FHIR_STATUS, ReferralStatus
from contracts.registry import EVENTS, event_class
from contracts.topics import DEAD_LETTER, FOLLOWUP, REFERRAL, SERVICES, TOPICS, topic

EVENT_KEYS = sorted(EVENTS)


def _concrete_subclasses(cls: type[EventPayload]) -> set[type[EventPayload]]:
    found: set[type[EventPayload]] = set()
    for sub in cls.__subclasses__():
        if "TYPE" in vars(sub):
            found.add(sub)
        found |= _concrete_subclasses(sub)
    return found


def test_every_event_class_is_registered() -> None:
    assert _concrete_subclasses(EventPayload) == set(EVENTS.values())
    assert len(EVENTS) >= 18


def test_event_class_lookup() -> None:
    for (type_, version), cls in EVENTS.items():
        assert event_class(type_, version) is cls
        assert cls.TYPE[0].isupper() and cls.TYPE.isalnum() and cls.VERSION >= 1
    with pytest.raises(KeyError):
        event_class("ScreenPositive", 99)


def test_every_event_has_a_sample(samples: dict[tuple[str, int], EventPayload]) -> None:
    assert sorted(samples) == EVENT_KEYS


@pytest.mark.parametrize("key", EVENT_KEYS, ids=[f"{t}.v{v}" for t, v in EVENT_KEYS])
def test_subject_is_the_key_field(
    key: tuple[str, int], samples: dict[tuple[str, int], EventPayload]
) -> None:
    payload = samples[key]
    assert payload.SUBJECT_FIELD in type(payload).model_fields
    assert payload.subject() == str(getattr(payload, payload.SUBJECT_FIELD))
    # The topic table's key description starts with the field name the events use as key.
    assert topic(payload.TOPIC).key.split()[0] == payload.SUBJECT_FIELD


@pytest.mark.parametrize("key", EVENT_KEYS, ids=[f"{t}.v{v}" for t, v in EVENT_KEYS])
def test_topic_lists_the_event(key: tuple[str, int]) -> None:
    cls = EVENTS[key]
    assert cls.TOPIC in {row.name for row in TOPICS}
    assert cls.TYPE in topic(cls.TOPIC).events


def test_topic_table_names_only_registered_events() -> None:
    registered = {cls.TYPE for cls in EVENTS.values()}
    for row in TOPICS:
        assert set(row.events) <= registered, row.name
        assert len(set(row.events)) == len(row.events)


def test_topic_table_facts() -> None:
    assert len({row.name for row in TOPICS}) == len(TOPICS)
    week, month = 7 * 86_400_000, 30 * 86_400_000
    for row in TOPICS:
        assert row.partitions == 12
        assert row.retention_ms == (month if row.name == DEAD_LETTER else week)
        assert set(row.producers) <= set(SERVICES) and set(row.consumers) <= set(SERVICES)
    assert topic(DEAD_LETTER).producers == SERVICES
    with pytest.raises(KeyError):
        topic("warmlink.nope.v1")


def test_referral_and_followup_share_the_referral_key() -> None:
    # Same key on both topics: one referral's events stay on one partition, in order.
    keyed = [cls for cls in EVENTS.values() if cls.TOPIC in (REFERRAL, FOLLOWUP)]
    assert keyed and {cls.SUBJECT_FIELD for cls in keyed} == {"referral_id"}


def test_referral_events_map_to_fhir() -> None:
    assert set(FHIR_STATUS) == set(ReferralStatus)
    statuses = set()
    for cls in EVENTS.values():
        if issubclass(cls, ReferralEvent):
            assert cls.STATUS is None or cls.STATUS in FHIR_STATUS
            statuses.add(cls.STATUS)
    # Every state is reached by some event (ReferralSubmitted/Redirected reach submitted).
    assert statuses - {None} == set(ReferralStatus)
