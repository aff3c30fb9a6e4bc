"""Today's check-in record: each try, the answer and the mood, and whether staff were told."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.checkin.schedule import Today
from actions.db.models import Checkin

MAX_ANSWER = 500


def todays(session: Session, resident_id: int, day: dt.date) -> Optional[Checkin]:
    return session.scalars(select(Checkin).where(Checkin.resident_id == resident_id, Checkin.day == day)).first()


def today_of(row: Optional[Checkin]) -> Optional[Today]:
    if row is None:
        return None
    return Today(row.tries, row.asked_at, row.answered_at, row.escalated_at)


def record_try(session: Session, resident_id: int, day: dt.date, now_utc: dt.datetime) -> int:
    """The kiosk asked (again): returns which try this was."""
    row = todays(session, resident_id, day)
    if row is None:
        session.add(Checkin(resident_id=resident_id, day=day, asked_at=now_utc, tries=1))
        return 1
    row.tries = (row.tries or 0) + 1
    row.asked_at = now_utc
    return row.tries


def record_answer(session: Session, resident_id: int, day: dt.date, text: str, mood: Optional[str],
                  now_utc: dt.datetime) -> None:
    """The resident answered; a low mood said once today stays low (staff and the family summary see it)."""
    row = todays(session, resident_id, day)
    if row is None:  # "我今天头晕" said without being asked still counts as today's answer
        row = Checkin(resident_id=resident_id, day=day, asked_at=now_utc, tries=0)
        session.add(row)
    row.answered_at = now_utc
    row.answer = ((row.answer + " / ") if row.answer else "") + text[:MAX_ANSWER]
    row.answer = row.answer[-2000:]
    if mood and row.mood != "low":
        row.mood = mood
