"""The queue of turns the assistant did not understand: listing, labelling with an intent, skipping."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import sessionmaker

from actions.db.models import NotUnderstoodTurn
from bot.kernel.clock import utcnow
from bot.staff.conversation_list import transcript_href
from bot.staff.masking import mask_in_text
from bot.staff.rasa_events import project_intents

PAGE_SIZE = 50
NEW_TOPIC = "new_topic"
NEW_TOPIC_LABEL = "新话题（暂无合适的意图）"
# What each intent of the domain means, for staff; an intent missing here is shown by its name.
INTENT_NAMES = {
    "affirm": "肯定（是的、好的）", "ask_help": "问能帮什么", "ask_menu": "问菜单", "ask_policy": "问政策",
    "book_meal": "订餐", "book_service": "预约上门服务", "cancel_booking": "取消预订",
    "check_bookings": "查自己的预订", "deny": "否定（不要、不是）", "emergency": "紧急求助",
    "family_link_code": "家属绑定码", "goodbye": "再见", "greet": "打招呼", "human_handoff": "找工作人员",
    "inform": "回答问题（时间、数量等）", "out_of_scope": "小暖管不了的事", "repeat": "请再说一遍",
    "speak_louder": "大声一点", "speak_slower": "说慢一点", "thank": "感谢",
}


def intent_choices() -> List[Tuple[str, str]]:
    """(value, what staff read) for the select: the domain's intents, then the new topic."""
    choices = [(name, f"{INTENT_NAMES[name]} · {name}" if name in INTENT_NAMES else name)
               for name in project_intents()]
    return choices + [(NEW_TOPIC, NEW_TOPIC_LABEL)]


def valid_label(label: str) -> bool:
    return label == NEW_TOPIC or label in project_intents()


@dataclass
class Counts:
    labelled: int  # labelled, not exported yet
    exported: int
    waiting: int
    skipped: int


@dataclass
class QueuedTurn:
    event_id: int
    text: str
    predicted: str
    confidence: float
    at: dt.datetime  # local time
    href: str  # the turn in its conversation
    label: str
    skipped: bool
    exported: bool


def _waiting():  # type: ignore[no-untyped-def]
    return NotUnderstoodTurn.label.is_(None) & NotUnderstoodTurn.skipped_at.is_(None)


def counts(sessions: sessionmaker) -> Counts:
    turn = NotUnderstoodTurn
    conditions = (turn.label.isnot(None) & turn.exported_at.is_(None), turn.exported_at.isnot(None), _waiting(),
                  turn.skipped_at.isnot(None) & turn.label.is_(None))
    with sessions() as session:
        row = session.execute(select(*(func.sum(case((condition, 1), else_=0)) for condition in conditions))).one()
    return Counts(*(int(value or 0) for value in row))


def queue_page(sessions: sessionmaker, page: int, timezone: str = "Asia/Shanghai") -> Tuple[List[QueuedTurn], bool]:
    """Waiting turns first (newest first), then the labelled, exported and skipped ones."""
    zone, turn = ZoneInfo(timezone), NotUnderstoodTurn
    order = case((_waiting(), 0), (turn.exported_at.is_(None) & turn.label.isnot(None), 1), else_=2)
    with sessions() as session:
        rows = list(session.scalars(select(turn).order_by(order, turn.at.desc(), turn.event_id.desc())
                                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    listed = [QueuedTurn(row.event_id, mask_in_text(row.text), row.predicted, row.confidence,
                         row.at.replace(tzinfo=dt.timezone.utc).astimezone(zone).replace(tzinfo=None),
                         f"{transcript_href(row.sender_id)}#e{row.event_id}", row.label or "",
                         row.skipped_at is not None and row.label is None, row.exported_at is not None)
              for row in rows[:PAGE_SIZE]]
    return listed, len(rows) > PAGE_SIZE


def label_turn(sessions: sessionmaker, event_id: int, label: str, staff_id: int) -> str:
    """Label (or relabel before export) a turn: "ok", "missing", "exported" or "bad_label"."""
    if not valid_label(label):
        return "bad_label"
    with sessions.begin() as session:
        row = session.get(NotUnderstoodTurn, event_id)
        if row is None:
            return "missing"
        changed = session.execute(update(NotUnderstoodTurn).where(NotUnderstoodTurn.event_id == event_id,
                                                                  NotUnderstoodTurn.exported_at.is_(None))
                                  .values(label=label, labelled_by=staff_id, labelled_at=utcnow(),
                                          skipped_at=None)).rowcount
        return "ok" if changed == 1 else "exported"


def skip_turn(sessions: sessionmaker, event_id: int, staff_id: int) -> str:
    """Put a turn aside without a label: "ok", "missing" or "exported"."""
    with sessions.begin() as session:
        if session.get(NotUnderstoodTurn, event_id) is None:
            return "missing"
        changed = session.execute(update(NotUnderstoodTurn).where(NotUnderstoodTurn.event_id == event_id,
                                                                  NotUnderstoodTurn.exported_at.is_(None))
                                  .values(label=None, labelled_by=staff_id, labelled_at=None,
                                          skipped_at=utcnow())).rowcount
        return "ok" if changed == 1 else "exported"
