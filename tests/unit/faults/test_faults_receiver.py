"""The campaign's subscriber logs every request it answers by webhook-id; while failing it
answers 500, and while hanging it answers nothing until the hang ends."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import orjson

from tools.faults.receiver import Subscriber, read_log


def post(sub: Subscriber, webhook_id: str, number: int, timeout: float = 5.0) -> int:
    body = orjson.dumps({"subscription_id": "s1", "event_number": number, "type": "t"})
    answer = httpx.post(
        sub.url("/site"), content=body, headers={"webhook-id": webhook_id}, timeout=timeout
    )
    return answer.status_code


def wait_for_lines(path: Path, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(read_log(path)) < count:
        assert time.monotonic() < deadline, f"fewer than {count} lines in {path}"
        time.sleep(0.02)


def test_it_answers_logs_fails_and_hangs(tmp_path: Path) -> None:
    sub = Subscriber(tmp_path / "log.jsonl")
    sub.start()
    try:
        assert post(sub, "msg_1", 1) == 200
        sub.fail_for(60)
        assert post(sub, "msg_2", 2) == 500
        sub.fail_for(0)  # a shorter window does not end a longer one
        assert post(sub, "msg_2", 2) == 500
        sub.recover()
        sub.hang_for(600)
        try:
            post(sub, "msg_3", 3, timeout=0.2)
            raise AssertionError("a hanging subscriber answered")
        except httpx.TimeoutException:
            pass
        sub.recover()
        assert post(sub, "msg_3", 3) == 200
        wait_for_lines(tmp_path / "log.jsonl", 5)
    finally:
        sub.stop()
    log = read_log(tmp_path / "log.jsonl")
    answered = [(e["webhook_id"], e["event_number"], e["answered"]) for e in log]
    # The request the sender gave up on was still applied once the hang ended: a duplicate at the
    # wire, the same webhook-id twice.
    assert answered[:3] == [("msg_1", 1, 200), ("msg_2", 2, 500), ("msg_2", 2, 500)]
    assert sorted(answered[3:]) == [("msg_3", 3, 200), ("msg_3", 3, 200)]
    assert all(e["subscription_id"] == "s1" and e["path"] == "/site" for e in log)
