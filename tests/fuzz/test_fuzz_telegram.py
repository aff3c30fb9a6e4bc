"""Bad updates at the Telegram door, fuzzed: random shapes, wrong types, missing fields, huge texts,
unknown message kinds, callback-data garbage and replayed update ids.

Each example goes through `Update.de_json` and the real Application's `process_update`
(python-telegram-bot 22, every handler of `build_application`), talking to the Bot API
stand-in over HTTP. The dialogue core is not running (its port is closed): words that
reach it get the channel's polite "core is down" answer, which is the adapter's part.
For every update: no error reaches the error handlers, nothing is logged at ERROR, a
replayed update id does nothing at all, and rows are written only where the update
could legitimately write them (a code, /voice, an unlink or alert button).
"""
from __future__ import annotations

import asyncio
import copy
import itertools
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Set

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from telegram import Update
from telegram.ext import Application

from actions.db.models import Alert, FamilyMember
from actions.linking import issue_code, looks_like_code
from bot.kernel.core_client import CoreClient
from bot.kernel.settings import load_settings
from bot.ops.launcher import free_port
from bot.telegram.app import build_application
from bot.telegram.handlers import MAX_UPDATE_ID
from tests.fuzz.rows import grown, row_counts
from tests.support.bot_api_standin import BotApiStandin

LINKED_CHAT = 777_001  # a relative's chat linked to residents 1 and 2 before the fuzzing starts
FRESH, REPLAY = "a new update id", "an update id handled before"  # resolved when the update is fed
LINK_WRITES = {"link_attempts", "family_members", "family_links", "telegram_chats", "audit_log", "outbox"}


def fuzz(examples: int) -> settings:
    """The examples a test tries; each one is a real update processed end to end (see Fuzzing in docs/security.md)."""
    return settings(max_examples=examples, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass
class Harness:
    api: BotApiStandin
    application: Application
    loop: asyncio.AbstractEventLoop
    sessions: sessionmaker
    errors: List[BaseException] = field(default_factory=list)
    seen: Set[int] = field(default_factory=set)
    codes: List[str] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(100_000))


@pytest.fixture(scope="module")
def harness(fuzz_database, logged_errors, korean_model_path) -> Iterator[Harness]:
    url, sessions = fuzz_database
    with BotApiStandin() as api:
        settings = load_settings().with_overrides(
            database_url=url, telegram_bot_token=api.token, telegram_api_url=api.url, channel_secret="fuzz",
            telegram_messages_per_minute=1_000_000, vosk_model=korean_model_path)
        # The core's port is closed: every turn fails at once, the way a stopped core does.
        core = CoreClient(f"http://127.0.0.1:{free_port('127.0.0.1')}", "fuzz", timeout_s=5, retries=0)
        application = build_application(settings, core=core, sessions=sessions)
        loop = asyncio.new_event_loop()
        running = Harness(api, application, loop, sessions)

        async def record(update: object, context: Any) -> None:
            running.errors.append(context.error)

        application.add_error_handler(record)
        loop.run_until_complete(application.initialize())
        store = application.bot_data["channel"].store
        with sessions.begin() as session:
            codes = [issue_code(session, resident, "staff:1") for resident in (1, 2, 3)]
            alert = Alert(resident_id=1, sender_id="kiosk-1", channel="kiosk", text="我摔倒了")
            session.add(alert)
        for code in codes[:2]:
            assert store.redeem(str(LINKED_CHAT), code, "丽").status == "ok"
        running.codes = [codes[2], codes[0], "000000"]  # one unused, one used, one wrong
        logged_errors.take()
        try:
            yield running
        finally:
            loop.run_until_complete(application.shutdown())
            application.bot_data["channel"].synthesizer.close()
            loop.close()


# ---------------------------------------------------------------- strategies

NASTY_TEXT = [
    "", " ", "\n", "\x00", "\x1b[31m", "\u202e", "\ufeff", "😀👍", "你好", "救命", "帮我订明天的午饭",
    "/start", "/start 123456", "/start abc", "/start ²²²²²²", "/help", "/parent", "/unlink", "/voice",
    "/voice on", "/voice off", "/voice 开", "/voice maybe", "/unknown", "/start@xiaonuan_test_bot", "/start@other_bot",
    "123456", "000000", "１２３４５６", "123 456", "12-34-56", "²²²²²²", "١٢٣٤٥٦", "9" * 6, "99999999999999999999",
    "'; DROP TABLE family_links; --", "好" * 2001, "a" * 4097,
]
CALLBACK_DATA = [
    "parent:1", "parent:2", "parent:3", "parent:99", "parent:", "parent:-1", "parent:²", "parent:" + "9" * 30,
    "unlink:1", "unlink:2", "unlink:3", "unlink:x", "unlink:" + "9" * 30,
    "alert:1:on_my_way", "alert:1:send_staff", "alert:2:on_my_way", "alert:1:dance", "alert::", "alert:²:on_my_way",
    "alert:" + "9" * 30 + ":on_my_way", "c:/greet", "c:", "t:deadbeef", "t:", "", "junk", ":", "c:" + "好" * 30,
]

small_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
any_text = st.one_of(st.sampled_from(NASTY_TEXT), small_text, st.text(max_size=300))
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), small_text)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(small_text, inner, max_size=3)),
                          max_leaves=8)
chat_ids = st.one_of(st.just(LINKED_CHAT), st.integers(1, 10 ** 10), st.integers(-(10 ** 13), -1),
                     st.integers(2 ** 53, 2 ** 70))


@st.composite
def users(draw: Any) -> Dict[str, Any]:
    user: Dict[str, Any] = {"id": draw(st.integers(1, 2 ** 40)), "is_bot": draw(st.booleans()),
                            "first_name": draw(st.one_of(small_text, st.sampled_from(["a" * 300, "丽\x00", "\ud800"])))}
    if draw(st.booleans()):
        user["last_name"] = draw(small_text)
    return user


@st.composite
def messages(draw: Any, chat: int) -> Dict[str, Any]:
    message: Dict[str, Any] = {
        "message_id": draw(st.integers(-5, 2 ** 40)),
        "date": draw(st.integers(0, 2 ** 31)),
        "chat": {"id": chat, "type": draw(st.sampled_from(["private", "group", "supergroup", "channel", "odd"]))},
    }
    if draw(st.integers(0, 4)):
        message["from"] = draw(users())
    kind = draw(st.sampled_from(["text", "text", "text", "voice", "audio", "sticker", "photo", "location",
                                 "contact", "dice", "new_chat_members", "odd_kind", "nothing"]))
    if kind == "text":
        message["text"] = draw(any_text)
        if message["text"].startswith("/") or draw(st.integers(0, 5)) == 0:
            message["entities"] = [{"type": draw(st.sampled_from(["bot_command", "bold", "url", "odd"])),
                                    "offset": draw(st.integers(-2, 10)), "length": draw(st.integers(-1, 40))}]
    elif kind in ("voice", "audio"):
        media: Dict[str, Any] = {"file_id": draw(st.sampled_from(["known-note", "unknown-note", ""])),
                                 "file_unique_id": "u", "duration": draw(st.integers(-5, 10 ** 6))}
        if draw(st.booleans()):
            media["file_size"] = draw(st.one_of(st.integers(0, 10 ** 5), st.integers(20 * 2 ** 20, 2 ** 40)))
        message[kind] = media
    elif kind == "sticker":
        message["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
                              "is_animated": False, "is_video": False}
    elif kind == "photo":
        message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        if draw(st.booleans()):
            message["caption"] = draw(any_text)
    elif kind == "location":
        message["location"] = {"latitude": draw(st.floats(-90, 90)), "longitude": draw(st.floats(-180, 180))}
    elif kind == "contact":
        message["contact"] = {"phone_number": draw(small_text), "first_name": draw(small_text)}
    elif kind == "dice":
        message["dice"] = {"emoji": "🎲", "value": draw(st.integers(-1, 100))}
    elif kind == "new_chat_members":
        message["new_chat_members"] = [draw(users())]
    elif kind == "odd_kind":
        message[draw(st.sampled_from(["hologram", "story", "giveaway"]))] = draw(json_value)
    return message


@st.composite
def updates(draw: Any) -> Dict[str, Any]:
    chat = draw(chat_ids)
    kind = draw(st.sampled_from(["message", "message", "message", "edited_message", "channel_post",
                                 "callback_query", "callback_query", "inline_query", "poll_answer", "odd", "empty"]))
    update: Dict[str, Any] = {}
    if kind in ("message", "edited_message", "channel_post"):
        update[kind] = draw(messages(chat))
        if kind == "edited_message":
            update[kind]["edit_date"] = draw(st.integers(0, 2 ** 31))
    elif kind == "callback_query":
        query: Dict[str, Any] = {"id": draw(st.text("0123456789", min_size=1, max_size=20)), "from": draw(users()),
                                 "chat_instance": "-1"}
        if draw(st.integers(0, 5)):
            query["data"] = draw(st.one_of(st.sampled_from(CALLBACK_DATA), small_text))
        if draw(st.integers(0, 3)):
            query["message"] = {"message_id": 1, "date": draw(st.sampled_from([0, 1_700_000_000])),
                                "chat": {"id": chat, "type": "private"}}
        else:
            query["inline_message_id"] = "inline-1"  # a button under an inline-mode message: no chat at all
        update["callback_query"] = query
    elif kind == "inline_query":
        update["inline_query"] = {"id": "1", "from": draw(users()), "query": draw(any_text), "offset": ""}
    elif kind == "poll_answer":
        update["poll_answer"] = {"poll_id": "p", "option_ids": [0], "user": draw(users())}
    elif kind == "odd":
        update[draw(small_text)] = draw(json_value)
    roll = draw(st.integers(0, 9))  # mostly new ids, some replays, a few odd ones
    update["update_id"] = (FRESH if roll < 7 else REPLAY if roll == 7 else draw(st.integers()) if roll == 8
                           else draw(st.sampled_from([0, -1, 2 ** 63 - 1, 2 ** 63, 2 ** 70, None, "7", 1.5])))
    if draw(st.integers(0, 6)) == 0:
        _mutate(update, draw)
    return update


def _paths(value: Any, path: tuple = ()) -> List[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, path + (index,))
    return found


def _mutate(update: Dict[str, Any], draw: Any) -> None:
    """One field gets a wrong type, or goes missing."""
    path = draw(st.sampled_from(_paths(update)))
    parent = update
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_value)


# ---------------------------------------------------------------- the oracle


def allowed_writes(raw: Dict[str, Any]) -> Set[str]:
    """Tables an update may add rows to or delete rows from; everything else must stay as it was."""
    allowed: Set[str] = set()
    for kind in ("message", "channel_post"):
        words = raw.get(kind, {}).get("text") if isinstance(raw.get(kind), dict) else None
        if isinstance(words, str):
            if looks_like_code(words.split(" ", 1)[1] if words.startswith("/start ") else words):
                allowed |= LINK_WRITES
            if words.startswith("/voice"):
                allowed.add("telegram_chats")
    query = raw.get("callback_query")
    data = query.get("data") if isinstance(query, dict) else None
    if isinstance(data, str) and data.startswith("unlink:"):
        allowed |= {"family_links", "audit_log"}
    if isinstance(data, str) and data.startswith("alert:"):
        allowed |= {"alert_responses", "audit_log"}
    return allowed


def feed(harness: Harness, raw: Dict[str, Any], logged_errors: Any) -> str:
    """Process one update and check every promise about it; returns what became of it."""
    api, application = harness.api, harness.application
    if raw.get("update_id") == FRESH:
        raw["update_id"] = next(harness.ids)
    elif raw.get("update_id") == REPLAY:
        raw["update_id"] = min(harness.seen, default=next(harness.ids))
    if isinstance(raw.get("message"), dict) and isinstance(raw["message"].get("voice"), dict):
        api.add_file("known-note", b"OggS" + bytes(300))
    before, calls = row_counts(harness.sessions, ignore=["telegram_updates"]), len(api.calls())
    try:
        update = Update.de_json(copy.deepcopy(raw), application.bot)
    except Exception:  # PTB refuses it: the webhook answers 400, polling logs it; our handlers never see it
        update = None
    if update is not None:
        harness.loop.run_until_complete(application.process_update(update))
    after = row_counts(harness.sessions, ignore=["telegram_updates"])
    errors, harness.errors[:] = list(harness.errors), []
    assert not errors, f"the error handler got {errors!r}"
    assert not logged_errors.take(), "an error was logged"
    if update is None:
        assert grown(before, after) == {} and len(api.calls()) == calls
        return "refused by Update.de_json"
    update_id = update.update_id
    if not isinstance(update_id, int) or not 0 <= update_id <= MAX_UPDATE_ID:
        assert grown(before, after) == {} and len(api.calls()) == calls, "an update without a real id was handled"
        return "odd update id, dropped"
    if update_id in harness.seen:
        assert grown(before, after) == {}, "a replayed update wrote rows"
        assert len(api.calls()) == calls, "a replayed update was answered again"
        return "replay, dropped"
    harness.seen.add(update_id)
    written = set(grown(before, after)) - allowed_writes(raw)
    assert not written, f"garbage wrote to {written}"
    assert not api.server_errors
    return "answered" if len(api.calls()) > calls else "processed, no answer"


# ---------------------------------------------------------------- the tests


@fuzz(200)
@given(raw=updates())
@example(raw={"update_id": 2 ** 63, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                                                "text": "你好"}})
@example(raw={"message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "text": "你好"}})
@example(raw={"update_id": 901, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                                            "text": "²²²²²²"}})
@example(raw={"update_id": 902, "callback_query": {"id": "1", "from": {"id": 5, "is_bot": False, "first_name": "丽"},
                                                   "chat_instance": "-1", "inline_message_id": "i", "data": "c:/greet"}})
@example(raw={"update_id": 903, "callback_query": {
    "id": "1", "from": {"id": LINKED_CHAT, "is_bot": False, "first_name": "丽"}, "chat_instance": "-1",
    "message": {"message_id": 1, "date": 1, "chat": {"id": LINKED_CHAT, "type": "private"}},
    "data": "alert:" + "9" * 30 + ":on_my_way"}})
@example(raw={"update_id": 904, "callback_query": {
    "id": "1", "from": {"id": LINKED_CHAT, "is_bot": False, "first_name": "丽"}, "chat_instance": "-1",
    "message": {"message_id": 1, "date": 1, "chat": {"id": LINKED_CHAT, "type": "private"}}, "data": "parent:²"}})
@example(raw={"update_id": 905, "message": {"message_id": 1, "date": 1, "chat": {"id": 6, "type": "private"},
                                            "voice": {"file_id": "unknown-note", "file_unique_id": "u",
                                                      "duration": 3}}})
@example(raw={"update_id": 906, "message": {"message_id": 1, "date": 1, "chat": {"id": 6, "type": "private"},
                                            "audio": {"file_id": "known-note", "file_unique_id": "u", "duration": 30,
                                                      "file_size": 60 * 2 ** 20}}})
def test_any_update(harness, logged_errors, raw) -> None:
    event(feed(harness, raw, logged_errors))


@fuzz(60)
@given(data=st.data())
def test_codes_and_buttons_of_a_linked_chat(harness, logged_errors, data) -> None:
    """The chat linked to two parents: codes (right, used, wrong, odd), commands and every kind of button."""
    chat = {"id": LINKED_CHAT, "type": "private"}
    sender = {"id": LINKED_CHAT, "is_bot": False, "first_name": "丽"}
    update_id = data.draw(st.sampled_from([FRESH, FRESH, FRESH, REPLAY]), label="update_id")
    if data.draw(st.booleans(), label="button"):
        raw = {"update_id": update_id, "callback_query": {
            "id": "7", "from": sender, "chat_instance": "-1", "message": {"message_id": 1, "date": 1, "chat": chat},
            "data": data.draw(st.one_of(st.sampled_from(CALLBACK_DATA), small_text), label="data")}}
    else:
        words = data.draw(st.one_of(st.sampled_from(harness.codes + NASTY_TEXT), any_text), label="text")
        raw = {"update_id": update_id, "message": {"message_id": 1, "date": 1, "chat": chat, "from": sender,
                                                   "text": words}}
    event(feed(harness, raw, logged_errors))


@pytest.mark.parametrize("name", ["\ud800", "丽\x00丽", "a" * 300])
def test_a_code_redeemed_under_an_odd_name(harness, logged_errors, fuzz_database, name) -> None:
    """Telegram names are anyone's choice: the relative is still linked, under a name the database can store."""
    with fuzz_database[1].begin() as session:
        code = issue_code(session, 4, "staff:1")
    chat = next(harness.ids)
    raw = {"update_id": FRESH, "message": {"message_id": 1, "date": 1, "chat": {"id": chat, "type": "private"},
                                           "from": {"id": chat, "is_bot": False, "first_name": name}, "text": code}}
    assert feed(harness, raw, logged_errors) == "answered"
    assert "绑定好了" in harness.api.calls("sendMessage")[-1].text
    with fuzz_database[1]() as session:
        stored = session.scalar(select(FamilyMember.name).where(FamilyMember.telegram_chat_id == str(chat)))
    assert stored and "\x00" not in stored and len(stored) <= 40


def test_replayed_updates_do_nothing(harness, logged_errors) -> None:
    """The same update id again, whatever it carries now."""
    first = {"update_id": 31_337, "message": {"message_id": 1, "date": 1, "chat": {"id": 42, "type": "private"},
                                              "text": "/voice on"}}
    feed(harness, first, logged_errors)
    again = copy.deepcopy(first)
    again["message"]["text"] = "/voice off"
    feed(harness, again, logged_errors)
    assert 31_337 in harness.seen
