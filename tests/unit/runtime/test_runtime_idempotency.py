"""Idempotency-Key validation and request fingerprints (the database part is tested elsewhere)."""

import hashlib

import pytest

from warmlink.idempotency import MAX_KEY_LENGTH, check_key, request_hash
from warmlink.problems import InvalidInput


def test_request_hash_is_stable_for_the_same_request() -> None:
    first = request_hash("POST", "/v1/screenings", b'{"a":1}')
    assert first == request_hash("POST", "/v1/screenings", b'{"a":1}')
    assert first == hashlib.sha256(b'POST\n/v1/screenings\n{"a":1}').hexdigest()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/screenings", b'{"a":2}'),
        ("POST", "/v1/referrals", b'{"a":1}'),
        ("PUT", "/v1/screenings", b'{"a":1}'),
        ("POST", "/v1/screenings", b""),
    ],
    ids=["body", "path", "method", "empty-body"],
)
def test_request_hash_differs_when_any_part_differs(method: str, path: str, body: bytes) -> None:
    assert request_hash(method, path, body) != request_hash("POST", "/v1/screenings", b'{"a":1}')


@pytest.mark.parametrize(
    "key",
    ["k", "a" * MAX_KEY_LENGTH, "9b2f6c1e-3f4a-4f8e-9a51-0c6f6b7d2e10", "key with spaces"],
)
def test_check_key_accepts_printable_keys_up_to_the_limit(key: str) -> None:
    check_key(key)  # does not raise


@pytest.mark.parametrize(
    "key",
    ["", "a" * 256, "line\nbreak", "tab\there", "nul\x00"],
    ids=["empty", "256-chars", "newline", "tab", "nul"],
)
def test_check_key_rejects_bad_keys_naming_the_header(key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_key(key)
    problem = info.value
    assert problem.status == 422
    assert problem.errors == [{"header": "Idempotency-Key", "detail": "invalid key"}]
    assert "1 to 255 printable characters" in problem.detail
    assert key not in problem.detail or key == ""


def test_max_key_length_is_255() -> None:
    assert MAX_KEY_LENGTH == 255
