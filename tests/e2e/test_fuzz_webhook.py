"""Bad input at the core's door, fuzzed: the channel webhook of the real Rasa server over HTTP.

Malformed JSON, non-JSON bodies, wrong content types, wrong types in every field,
missing or wrong secrets and bodies of a few MB must get a 4xx with a clear reason
and write nothing (not even a tracker event); odd but valid messages (emoji, control
characters, lone surrogates, other scripts) get a polite answer in Chinese. Never a
5xx, and nothing new at ERROR (or a traceback) in the Rasa and action server logs.
Uses the one stack all end-to-end tests share.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from actions.db.models import Alert
from bot.kernel.contract import MAX_ID, SECRET_HEADER, WEBHOOK_PATH
from tests.e2e.conftest import SECRET
from tests.fuzz.rows import grown, row_counts

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u4e00-\u9fff]")
TROUBLE = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|--- Logging error ---")


def fuzz(examples: int) -> settings:
    """The examples a test tries; each one is an HTTP request to the real server (see Fuzzing in docs/security.md)."""
    return settings(max_examples=examples, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Logs:
    """What the servers wrote to their logs since the last look."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.offsets = {Path(path): Path(path).stat().st_size for path in paths}

    def new_trouble(self) -> List[str]:
        found = []
        for path, offset in self.offsets.items():
            with open(path, "rb") as log:
                log.seek(offset)
                added = log.read()
            self.offsets[path] = offset + len(added)
            found += [f"{path.name}: {line}" for line in added.decode("utf-8", "replace").splitlines()
                      if TROUBLE.search(line)]
        return found


@dataclass
class Webhook:
    """The shared stack's webhook, its database and its logs (a short repr for hypothesis' reports)."""

    url: str
    db: Any = field(repr=False)
    logs: Logs = field(repr=False)

    def post(self, body: bytes, content_type: Optional[str] = "application/json", secret: Optional[str] = None,
             timeout: float = 60) -> requests.Response:
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if secret is not None:
            headers[SECRET_HEADER] = secret
        return requests.post(self.url, data=body, headers=headers, timeout=timeout)

    def refused(self, body: bytes, status: int, **kwargs: Any) -> requests.Response:
        """The request gets `status` with a reason, writes no row and logs no error."""
        before = row_counts(self.db)
        answer = self.post(body, **kwargs)
        assert answer.status_code == status, (answer.status_code, answer.text[:300])
        reason = answer.json()["error"]
        assert isinstance(reason, str) and reason.strip()
        assert grown(before, row_counts(self.db)) == {}, "a refused request wrote rows"
        assert not self.logs.new_trouble()
        return answer


@pytest.fixture(scope="module")
def webhook(stack, e2e_database) -> Webhook:
    return Webhook(stack.rasa_url + WEBHOOK_PATH, e2e_database[1], Logs(stack.logs))


# ---------------------------------------------------------------- strategies

small_text = st.text(max_size=40)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                      small_text)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(small_text, inner, max_size=3)),
                          max_leaves=6)
not_text = json_value.filter(lambda v: not isinstance(v, str) and v is not None)
GOOD_SENDER = "fuzz-sender"
bad_sender = st.one_of(not_text, st.just(""), st.just("x" * 129), st.text(min_size=1, max_size=30).filter(
    lambda s: re.fullmatch(r"[A-Za-z0-9_.:@-]{1,128}", s) is None))
bad_message_id = st.one_of(not_text, st.just(""), st.just("m" * 81), st.text(min_size=1, max_size=20).filter(
    lambda s: re.fullmatch(r"[A-Za-z0-9_.:@-]+", s) is None))
bad_id = st.one_of(st.booleans(), st.floats(), st.integers(max_value=0), st.just("abc"), st.just("1.5"),
                   st.lists(st.integers(), max_size=2), st.dictionaries(small_text, st.integers(), max_size=1))
bad_metadata = st.one_of(
    json_value.filter(lambda v: v is not None and not isinstance(v, dict)),
    st.builds(lambda key, value: {key: value}, st.sampled_from(["resident_id", "family_member_id", "staff_id"]), bad_id),
    st.builds(lambda key, value: {key: value}, st.sampled_from(["channel", "role", "kiosk_mode", "location"]),
              not_text),
    st.builds(lambda value: {"channel": value}, small_text.filter(lambda s: s not in ("kiosk", "telegram", "rest",
                                                                                        "console", "test", ""))),
    st.builds(lambda value: {"role": value}, small_text.filter(lambda s: s not in ("resident", "family", "staff",
                                                                                     "anonymous", ""))),
    st.builds(lambda value: {"kiosk_mode": value}, small_text.filter(lambda s: s not in ("home", "community"))),
    st.just({"role": "family", "resident_id": 1}),
    st.just({"role": "resident"}),
)


@st.composite
def malformed_bodies(draw: Any) -> bytes:
    """Bodies the webhook must refuse with 400, whatever else they carry."""
    kind = draw(st.sampled_from(["bytes", "not an object", "no sender", "sender", "message", "message_id",
                                 "metadata"]))
    if kind == "bytes":
        return draw(st.binary(max_size=500).filter(lambda b: not _is_json_object(b)))
    if kind == "not an object":
        return json.dumps(draw(json_value.filter(lambda v: not isinstance(v, dict)))).encode()
    body: Dict[str, Any] = {"sender": GOOD_SENDER, "message": draw(small_text)}
    if kind == "no sender":
        del body["sender"]
    elif kind == "sender":
        body["sender"] = draw(bad_sender)
    elif kind == "message":
        body["message"] = draw(not_text)
    elif kind == "message_id":
        body["message_id"] = draw(bad_message_id)
    else:
        body["metadata"] = draw(bad_metadata)
    return json.dumps(body).encode()


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError):
        return False


CONTENT_TYPES = [None, "application/json", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", "application/json; charset=latin-1", "image/png", ""]
wrong_secrets = st.one_of(st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40).filter(
    lambda s: s != SECRET))
secrets_sent = st.one_of(wrong_secrets, st.just(SECRET))


# ---------------------------------------------------------------- refusals (cheap: no turn is run)


@fuzz(200)
@given(body=malformed_bodies(), content_type=st.sampled_from(CONTENT_TYPES), secret=secrets_sent)
@example(body=b"", content_type=None, secret=None)
@example(body=b'{"sender": "x", "message": "hi", "metadata": {"resident_id": 1e400}}', content_type=None, secret=SECRET)
@example(body=b'{"sender": "x", "message": "hi", "metadata": {"resident_id": "' + b"9" * 5000 + b'"}}',
         content_type=None, secret=SECRET)
@example(body=b'{"sender": "x", "message": "hi", "metadata": {"resident_id": 1' + b"0" * 30 + b'}}',
         content_type=None, secret=SECRET)  # found: it reached the action server and overflowed SQLite
def test_malformed_requests_are_refused_with_a_reason(webhook, body, content_type, secret) -> None:
    webhook.refused(body, 400, content_type=content_type, secret=secret)


@fuzz(60)
@given(who=st.sampled_from([{"resident_id": 1}, {"resident_id": "2", "channel": "kiosk"},
                            {"role": "family", "family_member_id": 1, "resident_id": 1}, {"staff_id": 1}]),
       secret=wrong_secrets, message=small_text)
def test_speaking_for_a_person_needs_the_secret(webhook, who, secret, message) -> None:
    body = json.dumps({"sender": GOOD_SENDER, "message": message, "metadata": who}).encode()
    webhook.refused(body, 401, secret=secret)


@pytest.mark.parametrize("size", [64 * 1024 + 1, 3 * 1024 * 1024])
def test_huge_bodies_are_refused(webhook, size: int) -> None:
    padding = size - len(b'{"sender": "x", "message": ""}')
    body = b'{"sender": "x", "message": "' + b"a" * padding + b'"}'
    # Sanic itself would refuse more than 100 MB with 413; the webhook refuses more than 64 KB with 400.
    assert "too large" in webhook.refused(body, 400, secret=SECRET, timeout=120).json()["error"]
    assert "too large" in webhook.refused(body, 400, content_type="text/plain", timeout=120).json()["error"]


# ---------------------------------------------------------------- odd but valid messages (real turns)

odd_chars = st.characters(blacklist_categories=("Lo", "Nl"), codec=None)  # no Chinese words to understand
odd_messages = st.one_of(
    st.text(odd_chars, max_size=80),
    st.sampled_from(["", " ", "\x00", "\x00\x01\x02\x1b[31m", "\u202e\u202d", "\ufeff", "\u200b" * 50, "😀" * 300,
                     "🙂🙃🫠", "ｈｅｌｌｏ", "Привет", "مرحبا", "ＡＢＣ１２３", "%s%s%n", "{{7*7}}", "${jndi:x}",
                     "\\u0000", "null", "[]", "'; DROP TABLE events; --", "a\u0301\u0301\u0301" * 20, "\r\n" * 100]),
)


def answered_in_chinese(answer: requests.Response) -> None:
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    said = "".join(r.get("text") or "" for r in answer.json() if isinstance(r, dict))
    assert CJK.search(said), f"no Chinese answer: {answer.text[:300]}"


WHERE = {
    "anonymous": {"channel": "rest"},
    "community kiosk": {"channel": "kiosk", "kiosk_mode": "community"},
    "home kiosk": {"channel": "kiosk", "role": "resident", "resident_id": 1, "kiosk_mode": "home"},
}


@fuzz(40)
@given(message=odd_messages, surrogate=st.booleans(), where=st.sampled_from(sorted(WHERE)))
@example(message="\ud800 \udfff", surrogate=False, where="home kiosk")
@example(message="\x00\x01\x02\x1b[31m", surrogate=True, where="anonymous")
def test_odd_messages_get_a_polite_answer(webhook, message, surrogate, where) -> None:
    """A real turn: a polite Chinese answer, only the conversation log written, no error logged."""
    text = message + ("\udc80" if surrogate else "")
    # Only our channels (with the secret) may say where they are; an anonymous caller says nothing of it.
    metadata = dict(WHERE[where], location=text[:50]) if where != "anonymous" else dict(WHERE[where])
    body = {"sender": f"fuzz-{uuid.uuid4().hex[:8]}", "message": text, "metadata": metadata}
    before = row_counts(webhook.db)
    # ensure_ascii keeps lone surrogates as \\ud800 escapes: valid JSON any client may send.
    answered_in_chinese(webhook.post(json.dumps(body).encode(), secret=SECRET if where != "anonymous" else None))
    assert not webhook.logs.new_trouble()
    written = set(grown(before, row_counts(webhook.db))) - {"events"}
    assert not written, f"an odd message wrote to {written}"


@fuzz(25)
@given(metadata=st.fixed_dictionaries({"channel": st.sampled_from(["kiosk", "telegram", "rest", "test"])}, optional={
    "resident_id": st.one_of(st.integers(1, 6), st.sampled_from([999, 2 ** 31 - 1, 2 ** 31, 2 ** 63, 10 ** 30])),
    "location": st.one_of(small_text, st.just("\ud800"), st.just("位" * 500)),
    "kiosk_mode": st.sampled_from(["home", "community"]),
}), message=st.sampled_from(["你好", "", "我订了什么", "再说一遍", "😀"]), message_id=st.one_of(st.none(), st.just("m-1")))
@example(metadata={"channel": "kiosk", "resident_id": 10 ** 30, "kiosk_mode": "home"}, message="你好", message_id=None)
@example(metadata={"channel": "kiosk", "resident_id": 999, "kiosk_mode": "home"}, message="我订了什么", message_id=None)
def test_odd_metadata_with_the_secret(webhook, metadata, message, message_id) -> None:
    body: Dict[str, Any] = {"sender": f"fuzz-{uuid.uuid4().hex[:8]}", "message": message, "metadata": metadata}
    if message_id:
        body["message_id"] = message_id
    if metadata.get("resident_id", 0) > MAX_ID:  # no table can hold such an id: refused at the door
        webhook.refused(json.dumps(body).encode(), 400, secret=SECRET)
        return
    answered_in_chinese(webhook.post(json.dumps(body).encode(), secret=SECRET))
    assert not webhook.logs.new_trouble()


@fuzz(8)
@given(before=odd_messages, after=odd_messages, location=st.one_of(small_text, st.just("客厅\ud800\x00")))
@example(before="", after="\ud800", location="张家客厅")
@example(before="\x00", after="", location="\udfff")
def test_an_emergency_among_odd_characters_is_still_raised(webhook, before, after, location) -> None:
    """Odd characters around 救命 must not cost the alert (the text and place are stored with it).

    At a community kiosk nobody is identified yet, so no relative is sent these test alerts.
    """
    sender = f"fuzz-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": f"{before[:30]} 救命 {after[:30]}",
            "metadata": dict(WHERE["community kiosk"], location=location)}
    answer = webhook.post(json.dumps(body).encode(), secret=SECRET)  # a kiosk presents the secret
    answered_in_chinese(answer)
    assert "120" in answer.text
    with webhook.db() as session:
        assert session.scalar(select(func.count(Alert.id)).where(Alert.sender_id == f"anon:{sender}")) == 1
    assert not webhook.logs.new_trouble()


def test_nothing_was_logged_late(webhook) -> None:
    """An error a server logs after it has answered would have escaped the checks above."""
    time.sleep(1.0)
    assert not webhook.logs.new_trouble()
