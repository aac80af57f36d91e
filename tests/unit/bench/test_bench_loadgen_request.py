"""The load generator's requests: a path may carry header lines of its own (a session cookie),
and a plain path is sent as before."""

from __future__ import annotations

import random

from tools.bench.loadgen import _request


def test_a_path_with_a_cookie_line_sends_it_as_a_header() -> None:
    sent = _request("t", ["/worklist\nCookie: s=abc"], None, "", random.Random(1)).decode()
    assert sent.startswith("GET /worklist HTTP/1.1\r\n")
    assert "\r\nCookie: s=abc\r\n\r\n" in sent and sent.endswith("\r\n\r\n")
    plain = _request("t", ["/v1/whoami"], None, "", random.Random(1)).decode()
    assert plain == (
        "GET /v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\n\r\n"
    )
