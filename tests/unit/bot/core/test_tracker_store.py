"""Our tracker store (bot/core/tracker_store.py) against Rasa's own SQLTrackerStore, on a real SQLite file."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core import rasa_compat
from bot.core.tracker_store import RELIES_ON, XiaonuanTrackerStore
from tests.support.rasa_trackers import rasa_domain


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.get_event_loop_policy().new_event_loop().run_until_complete(coroutine)


@pytest.fixture()
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'trackers.db'}"


def ours(url: str) -> XiaonuanTrackerStore:
    return XiaonuanTrackerStore(domain=rasa_domain(), host=url, dialect="sqlite")


def rasas(url: str) -> SQLTrackerStore:
    return SQLTrackerStore(domain=rasa_domain(), host=url)


def turn(text: str, answer: str, message_id: str = "") -> List[Event]:
    return [UserUttered(text, {"name": "greet", "confidence": 1.0}, message_id=message_id or None),
            ActionExecuted("utter_greet"), BotUttered(answer), ActionExecuted("action_listen")]


def session_start() -> List[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def take_turn(store: SQLTrackerStore, sender: str, events: List[Event]) -> DialogueStateTracker:
    async def go() -> DialogueStateTracker:
        tracker = await store.retrieve(sender) or DialogueStateTracker.from_events(sender, [], rasa_domain().slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        return tracker
    return run(go())


def as_dicts(tracker: DialogueStateTracker) -> list:
    return [event.as_dict() for event in tracker.events]


class Statements:
    """The SQL statements an engine runs while the block runs."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        self.seen.append(statement.lower())

    def __enter__(self) -> "Statements":
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


def test_relies_on_the_rasa_code_it_was_written_for() -> None:
    import hashlib
    changed = [target for target, expected in RELIES_ON.items()
               if rasa_compat.source_hash(target) != expected]
    assert changed == [], "Rasa's SQLTrackerStore changed: check bot/core/tracker_store.py against it"
    assert hashlib  # the same hash as rasa_compat's patches


def test_writes_the_rows_rasa_writes_and_reads_what_rasa_reads(url: str) -> None:
    store = ours(url)
    for number in range(4):
        take_turn(store, "r1", (session_start() if number == 0 else []) + turn(f"你好{number}", f"您好{number}"))
    take_turn(store, "r1", [SlotSet("resident_id", "7")] + turn("再说一遍", "好的"))
    theirs = run(rasas(url).retrieve("r1"))
    mine = run(ours(url).retrieve("r1"))  # a fresh store: read from the database
    kept = run(store.retrieve("r1"))  # the kept tracker
    assert as_dicts(theirs) == as_dicts(mine) == as_dicts(kept)
    assert kept.get_slot("resident_id") == "7"
    assert len(theirs.events) == 2 + 4 * 4 + 1 + 4  # Rasa's read leaves out action_session_start


def test_a_kept_conversation_is_read_with_one_small_query_and_saved_without_counting(url: str) -> None:
    store = ours(url)
    take_turn(store, "r1", session_start() + turn("你好", "您好"))  # a new conversation: saved by Rasa's code
    take_turn(store, "r1", turn("在吗", "在"))  # read from the database and kept
    with Statements(store.engine) as reading:
        tracker = run(store.retrieve("r1"))
    assert len(reading.seen) == 1 and "max(events.id)" in reading.seen[0] and "events.data" not in reading.seen[0]
    for event in turn("明天吃什么", "午饭有"):
        tracker.update(event)
    with Statements(store.engine) as saving:
        run(store.save(tracker))
    assert not any("count(" in statement for statement in saving.seen)
    assert as_dicts(run(rasas(url).retrieve("r1"))) == as_dicts(tracker)


def test_events_another_server_stored_are_caught_up(url: str) -> None:
    first, second = ours(url), ours(url)  # two Rasa servers (or Sanic workers) on one database
    take_turn(first, "r1", session_start() + turn("你好", "您好"))
    take_turn(second, "r1", [SlotSet("resident_id", "9")] + turn("我是老王", "王大爷好"))
    caught_up = run(first.retrieve("r1"))
    assert as_dicts(caught_up) == as_dicts(run(rasas(url).retrieve("r1")))
    assert caught_up.get_slot("resident_id") == "9"
    take_turn(first, "r1", turn("谢谢", "不客气"))  # and saving after catching up writes only the new events
    assert as_dicts(run(second.retrieve("r1"))) == as_dicts(run(rasas(url).retrieve("r1")))
    assert len(run(rasas(url).retrieve("r1")).events) == 2 + 4 + 5 + 4


def test_a_new_session_started_elsewhere_is_read_afresh(url: str) -> None:
    first, second = ours(url), ours(url)
    take_turn(first, "r1", session_start() + turn("你好", "您好"))
    take_turn(second, "r1", session_start() + turn("早上好", "早上好"))
    tracker = run(first.retrieve("r1"))
    assert as_dicts(tracker) == as_dicts(run(rasas(url).retrieve("r1")))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["早上好"]


def test_a_session_started_in_our_own_turn_is_read_afresh_next_time(url: str) -> None:
    store = ours(url)
    take_turn(store, "r1", session_start() + turn("你好", "您好"))
    take_turn(store, "r1", session_start() + turn("又来了", "您好"))
    assert as_dicts(run(store.retrieve("r1"))) == as_dicts(run(rasas(url).retrieve("r1")))
    assert len(run(store.retrieve("r1")).events) == 2 + 4  # Rasa leaves out action_session_start


def test_a_turn_that_failed_before_saving_leaves_nothing_behind(url: str) -> None:
    store = ours(url)
    take_turn(store, "r1", session_start() + turn("你好", "您好"))
    tracker = run(store.retrieve("r1"))
    tracker.update(UserUttered("帮我订饭"))  # the turn broke off here: never saved
    again = run(store.retrieve("r1"))
    assert as_dicts(again) == as_dicts(run(rasas(url).retrieve("r1")))
    assert "帮我订饭" not in [e.text for e in again.events if isinstance(e, UserUttered)]


def test_a_tracker_it_did_not_hand_out_is_saved_the_way_rasa_saves_it(url: str) -> None:
    take_turn(rasas(url), "r1", session_start() + turn("你好", "您好"))
    store = ours(url)
    tracker = run(rasas(url).retrieve("r1"))
    for event in turn("谢谢", "不客气"):
        tracker.update(event)
    run(store.save(tracker))
    assert as_dicts(run(rasas(url).retrieve("r1"))) == as_dicts(tracker)


def test_unknown_conversations_are_none_and_a_database_that_fails_raises(url: str, tmp_path: Path) -> None:
    store = ours(url)
    assert run(store.retrieve("nobody")) is None
    take_turn(store, "r1", session_start() + turn("你好", "您好"))
    with sqlite3.connect(tmp_path / "trackers.db") as connection:
        connection.execute("DROP TABLE events")
    with pytest.raises(sa.exc.OperationalError):  # the channel refuses the turn instead of starting afresh
        run(store.retrieve("r1"))


def test_sqlite_is_in_wal_mode_with_normal_sync_and_one_kept_connection(url: str) -> None:
    store = ours(url)
    take_turn(store, "r1", session_start())
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    opened = []
    sa.event.listen(store.engine, "connect", lambda *args: opened.append(1))
    for number in range(5):
        take_turn(store, "r1", turn(f"你好{number}", "您好"))
    assert opened == []
