"""The reminder round `xiaonuan run` makes every few seconds (tests make it on a frozen clock):

* every active reminder that fell due gets its occurrence (the kiosk says it from there);
* one not confirmed (taken or skipped) within XIAONUAN_REMINDER_MISS_MINUTES is marked missed, and the
  relatives who set or follow it are told through the outbox, once, with two buttons.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.db.models import Reminder, ReminderFollower, ReminderOccurrence, Resident
from actions.outbox import enqueue
from actions.reminders.store import DUE, MISSED, fall_due
from bot.kernel.clock import to_local
from bot.kernel.settings import Settings

MISSED_KIND = "reminder_missed"


def missed_text(name: str, what: str, due_local: dt.datetime, minutes: int, said: bool) -> str:
    heard = "小暖提醒了，" if said else "家里的小暖没能提醒到，"
    return (f"【提醒没确认】{name}今天{due_local:%H:%M}该{what}，{heard}过了{minutes}分钟还没说做了。"
            "您方便的话打个电话问问。")


def missed_cause(occurrence_id: int) -> str:
    return f"reminder:{occurrence_id}:missed"


@dataclass(frozen=True)
class Missed:
    occurrence_id: int
    resident_id: int
    told: int


def miss_round(sessions: sessionmaker, settings: Settings, now_utc: dt.datetime) -> List[Missed]:
    """Mark the occurrences not confirmed in time as missed and tell their followers; returns what it did."""
    limit = now_utc - dt.timedelta(minutes=settings.reminder_miss_minutes)
    with sessions() as session:
        late = list(session.scalars(select(ReminderOccurrence.id).where(
            ReminderOccurrence.status == DUE, ReminderOccurrence.due_at <= limit)))
    done: List[Missed] = []
    for occurrence_id in late:
        with sessions.begin() as session:
            row = session.get(ReminderOccurrence, occurrence_id, with_for_update=True)
            if row is None or row.status != DUE:
                continue  # answered or taken by another worker a moment ago
            reminder = session.get(Reminder, row.reminder_id)
            resident = session.get(Resident, row.resident_id)
            followers = list(session.scalars(select(ReminderFollower.family_member_id).where(
                ReminderFollower.reminder_id == row.reminder_id)))
            row.status, row.escalated_at = MISSED, now_utc
            text = missed_text(resident.name if resident else "老人", reminder.what if reminder else "",
                               to_local(settings, row.due_at), settings.reminder_miss_minutes, row.said_at is not None)
            enqueue(session, [(f"family:{member}", text) for member in followers], MISSED_KIND,
                    missed_cause(row.id))
        done.append(Missed(occurrence_id, row.resident_id, len(followers)))
    return done


def reminder_round(sessions: sessionmaker, settings: Settings, now_utc: dt.datetime) -> List[Missed]:
    """One round: occurrences written for what fell due, then the misses told."""
    fall_due(sessions, settings, now_utc)
    return miss_round(sessions, settings, now_utc)
