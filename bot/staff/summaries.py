"""The conversation list's summaries, kept up to date from Rasa's `events` table incrementally.

`refresh_summaries` reads only the events after `summary_cursor.last_event_id`, in
batches, updates or inserts one `conversation_summaries` row per sender, and records
the user turns that were not understood in `not_understood_turns`. The cursor moves in
the same transaction as the rows it accounts for, with a compare-and-set, so two
consoles refreshing at once never count an event twice.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, inspect, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import ConversationSummary, NotUnderstoodTurn, SummaryCursor
from bot.staff import rasa_events
from bot.staff.rasa_events import UserTurn

BATCH = 5000
# PostgreSQL hands out ids before commit: a missing id just before fresh events may still appear.
# The cursor waits before such a gap for this long (a Rasa turn is saved well within it).
GAP_GRACE_S = 60.0
_CHUNK = 500  # sender ids per IN (…) query
_lock = threading.Lock()

_EVENTS_AFTER = text(
    "SELECT id, sender_id, type_name, timestamp, action_name,"
    " CASE WHEN type_name IN ('user', 'slot', 'bot') THEN data END AS data"
    " FROM events WHERE id > :after ORDER BY id LIMIT :limit")
_ONE_EVENT = text("SELECT id, timestamp, data FROM events WHERE id = :id")
_EVENTS_OF = text(
    "SELECT id, sender_id, type_name, timestamp, action_name,"
    " CASE WHEN type_name IN ('user', 'slot', 'bot') THEN data END AS data"
    " FROM events WHERE sender_id IN :senders AND id <= :upto ORDER BY id"
).bindparams(bindparam("senders", expanding=True))


class _Raced(Exception):
    """Another refresh moved the cursor first; its work stands, ours is rolled back."""


@dataclass
class _Row:
    id: int
    sender_id: str
    type_name: str
    timestamp: Optional[float]
    action_name: Optional[str]
    data: Optional[str]


def utc(timestamp: Optional[float]) -> dt.datetime:
    moment = dt.datetime.fromtimestamp(timestamp if timestamp is not None else time.time(), dt.timezone.utc)
    return moment.replace(tzinfo=None)


def refresh_summaries(sessions: sessionmaker, batch: int = BATCH, timezone: str = "Asia/Shanghai",
                      now: Optional[float] = None) -> int:
    """Bring the summaries up to date with Rasa's events; returns how many events were read."""
    zone = ZoneInfo(timezone)
    total = 0
    with _lock:
        _ensure_cursor(sessions)
        while True:
            try:
                read, more = _one_batch(sessions, batch, zone, time.time() if now is None else now)
            except _Raced:
                return total
            total += read
            if not more:
                return total


def _ensure_cursor(sessions: sessionmaker) -> None:
    try:
        with sessions.begin() as session:
            if session.get(SummaryCursor, 1) is None:
                session.add(SummaryCursor(id=1, last_event_id=0))
    except IntegrityError:
        pass  # another console made it


def recount(session: Session, sender_ids: Sequence[str], timezone: str = "Asia/Shanghai") -> int:
    """Count these conversations again from the events left after old ones were deleted.

    Returns how many of them still have events the summaries account for.

    Only events up to the cursor count, as before; later ones are the next refresh's. The
    not-understood turns of the events left are already recorded and are not added again.
    """
    zone = ZoneInfo(timezone)
    cursor = session.get(SummaryCursor, 1)
    senders = sorted(set(sender_ids))
    for chunk in _chunks(senders):
        session.execute(delete(ConversationSummary).where(ConversationSummary.sender_id.in_(chunk)))
    if cursor is None or not senders or not _has_events(session):
        return 0
    rows: List[_Row] = []
    for chunk in _chunks(senders):
        rows += [_Row(*row) for row in session.execute(_EVENTS_OF, {"senders": chunk, "upto": cursor.last_event_id})]
    rows.sort(key=lambda row: row.id)
    _apply(session, rows, zone, record=False)
    return len({row.sender_id for row in rows})


def _has_events(session: Session) -> bool:
    return inspect(session.connection()).has_table("events")


def _one_batch(sessions: sessionmaker, batch: int, zone: ZoneInfo, now: float) -> Tuple[int, bool]:
    with sessions.begin() as session:
        if not _has_events(session):
            return 0, False
        start = session.get(SummaryCursor, 1).last_event_id
        rows = [_Row(*row) for row in session.execute(_EVENTS_AFTER, {"after": start, "limit": batch})]
        usable = settled(rows, start, now)
        if not usable:
            return 0, False
        _apply(session, usable, zone)
        moved = session.execute(update(SummaryCursor).where(SummaryCursor.id == 1, SummaryCursor.last_event_id == start)
                                .values(last_event_id=usable[-1].id)).rowcount
        if moved != 1:
            raise _Raced()
        return len(usable), len(usable) == len(rows) == batch


def settled(rows: Sequence[_Row], after: int, now: float) -> List[_Row]:
    """The rows before the first id gap that is younger than GAP_GRACE_S (an older gap was a rollback)."""
    expected = after + 1
    for index, row in enumerate(rows):
        if row.id != expected and (row.timestamp or 0.0) > now - GAP_GRACE_S:
            return list(rows[:index])
        expected = row.id + 1
    return list(rows)


def _chunks(items: List[str]) -> Iterable[List[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _summaries_for(session: Session, senders: List[str]) -> Dict[str, ConversationSummary]:
    found: Dict[str, ConversationSummary] = {}
    for chunk in _chunks(senders):
        for summary in session.scalars(select(ConversationSummary).where(ConversationSummary.sender_id.in_(chunk))):
            found[summary.sender_id] = summary
    return found


def _new_summary(session: Session, sender_id: str, at: dt.datetime) -> ConversationSummary:
    summary = ConversationSummary(sender_id=sender_id, channel="", started_at=at, last_at=at, user_turns=0,
                                  not_understood=0, last_text="", active_days="", last_user_missed=False)
    session.add(summary)
    return summary


def _apply(session: Session, rows: List[_Row], zone: ZoneInfo, record: bool = True) -> None:
    settings = rasa_events.nlu_settings()
    summaries = _summaries_for(session, sorted({row.sender_id for row in rows}))
    turns: Dict[int, Tuple[UserTurn, Optional[float]]] = {}  # this batch's user turns, by event id
    asked: Dict[str, bool] = {}  # per conversation: did the last answer (in this batch) ask a question
    for row in rows:
        at = utc(row.timestamp)
        summary = summaries.get(row.sender_id)
        if summary is None:
            summary = summaries[row.sender_id] = _new_summary(session, row.sender_id, at)
        summary.started_at = min(summary.started_at, at)
        summary.last_at = max(summary.last_at, at)
        if row.type_name == "user":
            turn = rasa_events.user_turn(rasa_events.load(row.data))
            turns[row.id] = (turn, row.timestamp)
            previous = summary.last_user_event_id
            corrected = previous is not None and corrects_the_answer(turn, summary.last_text,
                                                                     asked.get(row.sender_id, False))
            _count_user_turn(summary, row, turn, zone)
            if turn.fallback or turn.low_confidence(settings.threshold):
                _not_understood(session, summary, row.id, turn, at, record)
            if corrected and record and session.get(NotUnderstoodTurn, previous) is None:
                # The answer was given but then corrected: the turn before is a real failure for staff to see.
                earlier, timestamp = turns.get(previous) or _stored_turn(session, previous)
                _queue(session, summary, previous, earlier, utc(timestamp))
        elif row.type_name == "bot":
            said = str(rasa_events.load(row.data).get("text") or "")
            asked[row.sender_id] = said.rstrip().endswith(("？", "?", "吗"))
        elif row.type_name == "slot":
            _slot(summary, rasa_events.load(row.data))
        elif (row.type_name == "action" and row.action_name in settings.fallback_actions
              and summary.last_user_event_id and not summary.last_user_missed):
            turn, timestamp = turns.get(summary.last_user_event_id) or _stored_turn(session, summary.last_user_event_id)
            _not_understood(session, summary, summary.last_user_event_id, turn, utc(timestamp), record)


def _count_user_turn(summary: ConversationSummary, row: _Row, turn: UserTurn, zone: ZoneInfo) -> None:
    summary.user_turns += 1
    summary.last_text = turn.text[:200]
    summary.last_user_event_id = row.id
    summary.last_user_missed = False
    channel = turn.metadata.get("channel")
    if isinstance(channel, str) and channel:
        summary.channel = channel[:20]
    resident_id = rasa_events.resident_id_of(turn.metadata.get("resident_id"))
    if resident_id is not None:
        summary.resident_id = resident_id
    day = dt.datetime.fromtimestamp(row.timestamp if row.timestamp is not None else time.time(), zone)
    stamp = day.strftime("%Y%m%d")
    if stamp not in summary.active_days:  # fixed-width days between commas: no false matches
        summary.active_days = f"{summary.active_days},{stamp}" if summary.active_days else stamp


def _slot(summary: ConversationSummary, data: dict) -> None:
    name, value = data.get("name"), data.get("value")
    if name == "channel" and isinstance(value, str) and value:
        summary.channel = value[:20]
    elif name == "resident_id":
        resident_id = rasa_events.resident_id_of(value)
        if resident_id is not None:
            summary.resident_id = resident_id


def _stored_turn(session: Session, event_id: int) -> Tuple[UserTurn, Optional[float]]:
    row = session.execute(_ONE_EVENT, {"id": event_id}).one()
    return rasa_events.user_turn(rasa_events.load(row.data)), row.timestamp


_CORRECTION = re.compile(r"不对|错了|不是这个|我不是说|我说的是|不是问|你听错|答非所问|说的啥")


def corrects_the_answer(turn: UserTurn, previous_text: str, answer_asked: bool) -> bool:
    """This turn says the answer to the one before was wrong: the same words again, a person asked for,
    or "不对" to an answer that asked nothing (a "不对" to "对吗？" is an ordinary answer)."""
    if turn.is_payload or not turn.text.strip():
        return False
    if turn.text[:200] == previous_text:
        return True
    if turn.intent == "human_handoff":
        return True
    return not answer_asked and bool(_CORRECTION.search(turn.text))


def _not_understood(session: Session, summary: ConversationSummary, event_id: int, turn: UserTurn,
                    at: dt.datetime, record: bool = True) -> None:
    summary.not_understood += 1
    summary.last_user_missed = True
    if record:
        _queue(session, summary, event_id, turn, at)


def _queue(session: Session, summary: ConversationSummary, event_id: int, turn: UserTurn, at: dt.datetime) -> None:
    if turn.text.strip() and not turn.is_payload:  # nothing to label in silence or a button press
        session.add(NotUnderstoodTurn(event_id=event_id, sender_id=summary.sender_id, text=turn.text,
                                      predicted=(turn.predicted or turn.intent)[:60],
                                      confidence=turn.predicted_confidence or turn.confidence, at=at))
