"""Parsing and checking of requests on our channel (the HTTP behaviour is in tests/e2e)."""
import json

import pytest

from bot.core.rest_channel import BadRequest, parse_request, secret_ok
from bot.kernel.contract import MAX_BODY_BYTES


def _body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_a_good_request() -> None:
    parsed = parse_request(_body(sender="kiosk-1", message="你好", message_id="m-1",
                                 metadata={"resident_id": 1, "channel": "kiosk"}), max_chars=2000)
    assert parsed["sender"] == "kiosk-1" and parsed["message"] == "你好" and parsed["message_id"] == "m-1"
    assert parsed["metadata"].resident_id == 1


def test_missing_message_is_empty_and_long_ones_are_cut() -> None:
    assert parse_request(_body(sender="a"), max_chars=2000)["message"] == ""
    assert parse_request(_body(sender="a", message=None), max_chars=2000)["message"] == ""
    assert len(parse_request(_body(sender="a", message="好" * 5000), max_chars=2000)["message"]) == 2000


@pytest.mark.parametrize("body", [
    b"", b"{", b"null", b"[]", b"\xff\xfe", _body(message="hi"), _body(sender=""), _body(sender="a b"),
    _body(sender="a", message=["x"]), _body(sender="a", message_id="has space"),
    _body(sender="a", metadata={"resident_id": "x"}), b"{" + b" " * MAX_BODY_BYTES + b"}",
])
def test_bad_requests(body: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_request(body, max_chars=2000)


def test_secret_comparison() -> None:
    assert secret_ok("abc", "abc")
    assert not secret_ok("abd", "abc")
    assert not secret_ok(None, "abc")
    assert not secret_ok("", "")
    assert not secret_ok("anything", "")


def test_a_retried_message_gets_its_first_answer() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from bot.core.rest_channel import replayed_answer

    events = [
        UserUttered("对", message_id="m1"),
        ActionExecuted("action_book_meal"),
        BotUttered("订好了！", data={"buttons": [{"title": "好", "payload": "/affirm"}]}),
        BotUttered(None, data={"custom": {"speech": {"rate_factor": 1.0, "volume": 0.7}}}),
        UserUttered("谢谢", message_id="m2"),
        BotUttered("不客气"),
    ]
    assert replayed_answer(events, "m1", "kiosk-1") == [
        {"recipient_id": "kiosk-1", "text": "订好了！", "buttons": [{"title": "好", "payload": "/affirm"}]},
        {"recipient_id": "kiosk-1", "custom": {"speech": {"rate_factor": 1.0, "volume": 0.7}}},
    ]
    assert replayed_answer(events, "m2", "kiosk-1") == [{"recipient_id": "kiosk-1", "text": "不客气"}]
    assert replayed_answer(events, "m3", "kiosk-1") is None
