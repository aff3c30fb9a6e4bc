"""Reminders in the database: set, listed, changed, stopped; each time one falls due, and its answer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import FamilyLink, Reminder, ReminderFollower, ReminderOccurrence
from actions.reminders.schedule import due_times, to_utc
from bot.kernel.clock import to_local
from bot.kernel.settings import Settings

TAKEN, SKIPPED, MISSED, DUE = "taken", "skipped", "missed", "due"
MAX_SAYS = 3


def add_reminder(session: Session, resident_id: int, what: str, daily: bool, day: Optional[dt.date],
                 hour: int, minute: int, actor: str, now_utc: dt.datetime) -> Reminder:
    """A new reminder; the relative who set it follows it, and a resident's or staff's own reminder is
    followed by every linked relative (they are the ones to call when it is missed)."""
    row = Reminder(resident_id=resident_id, what=what, daily=daily, day=None if daily else day,
                   time=f"{hour:02d}:{minute:02d}", created_by=actor, created_at=now_utc)
    session.add(row)
    session.flush()
    if actor.startswith("family:"):
        followers: Iterable[int] = [int(actor.split(":", 1)[1])]
    else:
        followers = session.scalars(select(FamilyLink.family_member_id).where(FamilyLink.resident_id == resident_id))
    for member_id in followers:
        session.add(ReminderFollower(reminder_id=row.id, family_member_id=member_id))
    return row


def active_reminders(session: Session, resident_id: int) -> List[Reminder]:
    return list(session.scalars(select(Reminder).where(Reminder.resident_id == resident_id, Reminder.active.is_(True))
                                .order_by(Reminder.time, Reminder.id)))


def stop_reminder(session: Session, reminder: Reminder, actor: str, now_utc: dt.datetime) -> None:
    reminder.active, reminder.stopped_at, reminder.stopped_by = False, now_utc, actor
    for occurrence in session.scalars(select(ReminderOccurrence).where(
            ReminderOccurrence.reminder_id == reminder.id, ReminderOccurrence.status == DUE)):
        occurrence.status, occurrence.answered_at = SKIPPED, now_utc


def change_time(reminder: Reminder, hour: int, minute: int) -> None:
    reminder.time = f"{hour:02d}:{minute:02d}"


def fall_due(sessions: sessionmaker, settings: Settings, now_utc: dt.datetime,
             resident_id: Optional[int] = None) -> List[int]:
    """Write an occurrence for every active reminder due since it was set (or since the last hour) and
    not written yet; returns the new occurrence ids. Safe to run from several processes at once."""
    now_local = to_local(settings, now_utc)
    created: List[int] = []
    with sessions() as session:
        query = select(Reminder).where(Reminder.active.is_(True))
        if resident_id is not None:
            query = query.where(Reminder.resident_id == resident_id)
        reminders = list(session.scalars(query))
        for reminder in reminders:
            since = max(to_local(settings, reminder.created_at), now_local - dt.timedelta(hours=1))
            for at in due_times(reminder, since, now_local):
                due_utc = to_utc(at, settings.timezone)
                try:
                    with sessions.begin() as writing:
                        row = ReminderOccurrence(reminder_id=reminder.id, resident_id=reminder.resident_id,
                                                 due_at=due_utc, status=DUE)
                        writing.add(row)
                        writing.flush()
                        created.append(row.id)
                except IntegrityError:
                    continue  # written a moment ago by another process
    return created


@dataclass(frozen=True)
class DueNow:
    occurrence_id: int
    what: str
    says: int


def due_to_say(session: Session, resident_id: int, now_utc: dt.datetime, miss_minutes: int) -> Optional[DueNow]:
    """The reminder the kiosk should say now: due, unanswered, not said too often, and its next say reached."""
    row = session.scalar(
        select(ReminderOccurrence).where(
            ReminderOccurrence.resident_id == resident_id, ReminderOccurrence.status == DUE,
            ReminderOccurrence.due_at <= now_utc,
            ReminderOccurrence.due_at > now_utc - dt.timedelta(minutes=miss_minutes + 60),
            (ReminderOccurrence.next_say_at.is_(None)) | (ReminderOccurrence.next_say_at <= now_utc))
        .order_by(ReminderOccurrence.due_at, ReminderOccurrence.id).limit(1))
    if row is None or (row.says >= MAX_SAYS + row.snoozed):
        return None
    reminder = session.get(Reminder, row.reminder_id)
    return DueNow(row.id, reminder.what if reminder else "", row.says)


def mark_said(session: Session, occurrence_id: int, now_utc: dt.datetime, repeat_minutes: int) -> Optional[
        ReminderOccurrence]:
    row = session.get(ReminderOccurrence, occurrence_id)
    if row is None or row.status != DUE:
        return None
    row.said_at = row.said_at or now_utc
    row.says += 1
    row.next_say_at = now_utc + dt.timedelta(minutes=repeat_minutes)
    return row


def latest_said(session: Session, resident_id: int) -> Optional[ReminderOccurrence]:
    """The reminder just said and not yet answered (what "吃过了" answers)."""
    return session.scalar(select(ReminderOccurrence).where(
        ReminderOccurrence.resident_id == resident_id, ReminderOccurrence.status == DUE,
        ReminderOccurrence.said_at.is_not(None)).order_by(ReminderOccurrence.said_at.desc(),
                                                          ReminderOccurrence.id.desc()).limit(1))


def answer(row: ReminderOccurrence, status: str, now_utc: dt.datetime) -> None:
    row.status, row.answered_at = status, now_utc


def snooze(row: ReminderOccurrence, now_utc: dt.datetime, minutes: int) -> None:
    row.snoozed += 1
    row.next_say_at = now_utc + dt.timedelta(minutes=minutes)
