"""How a resident kept to their reminders in a week: taken on time, taken late, missed (for relatives and staff)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import ReminderOccurrence
from actions.reminders.store import MISSED, SKIPPED, TAKEN

ON_TIME_MINUTES = 15


@dataclass(frozen=True)
class Adherence:
    taken: int
    late: int
    missed: int
    skipped: int

    @property
    def total(self) -> int:
        return self.taken + self.late + self.missed + self.skipped

    def sentence(self) -> str:
        if self.total == 0:
            return "这一周还没有到时候的提醒。"
        parts = [f"按时做了{self.taken}次"]
        if self.late:
            parts.append(f"晚了一些做的{self.late}次")
        if self.skipped:
            parts.append(f"说不做的{self.skipped}次")
        parts.append(f"没回应的{self.missed}次" if self.missed else "没有漏掉的")
        return f"这一周一共提醒了{self.total}次：" + "，".join(parts) + "。"


def week_of(session: Session, resident_id: int, start_utc: dt.datetime, end_utc: dt.datetime) -> Adherence:
    taken = late = missed = skipped = 0
    for row in session.scalars(select(ReminderOccurrence).where(
            ReminderOccurrence.resident_id == resident_id, ReminderOccurrence.due_at >= start_utc,
            ReminderOccurrence.due_at < end_utc)):
        if row.status == TAKEN:
            on_time = row.answered_at is not None and row.answered_at - row.due_at <= dt.timedelta(
                minutes=ON_TIME_MINUTES) and not row.snoozed
            taken, late = (taken + 1, late) if on_time else (taken, late + 1)
        elif row.status == MISSED:
            missed += 1
        elif row.status == SKIPPED:
            skipped += 1
    return Adherence(taken, late, missed, skipped)
