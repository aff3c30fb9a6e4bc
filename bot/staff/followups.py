"""Follow-up visits (回访) after an alert, as the Today page lists them and marks them done.

A visit is due from the day after the alert was resolved and stays on the page until someone marks
it done, so one missed on its day is still there the next.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select, update

from actions.db.models import Alert, AuditLog, FollowUpVisit, Resident
from bot.staff.alert_steps import OUTCOMES
from bot.staff.app import Console
from bot.staff.localtime import utc_now


@dataclass(frozen=True)
class FollowUp:
    id: int
    alert_id: int
    due_day: dt.date
    resident: str
    resident_id: Optional[int]
    phone: str
    address: str
    outcome: str
    raised_at: dt.datetime  # UTC, as stored (the template shows local time)

    def overdue_on(self, day: dt.date) -> bool:
        return self.due_day < day


def follow_ups_due(console: Console, day: dt.date) -> List[FollowUp]:
    """Visits due on or before `day` and not done yet, the oldest first."""
    with console.sessions() as session:
        rows = session.execute(
            select(FollowUpVisit, Alert, Resident).join(Alert, Alert.id == FollowUpVisit.alert_id)
            .outerjoin(Resident, Resident.id == FollowUpVisit.resident_id)
            .where(FollowUpVisit.done_at.is_(None), FollowUpVisit.due_day <= day)
            .order_by(FollowUpVisit.due_day, FollowUpVisit.id))
        return [FollowUp(visit.id, alert.id, visit.due_day, resident.name if resident else "未登记居民",
                         resident.id if resident else None, resident.phone if resident else "",
                         resident.address if resident else alert.location,
                         OUTCOMES.get(alert.outcome or "", alert.outcome or ""), alert.created_at)
                for visit, alert, resident in rows]


def mark_done(console: Console, visit_id: int, actor: str, note: str) -> bool:
    """Not done → done, audited in the same transaction; False when it was done already (or is not there)."""
    with console.sessions.begin() as session:
        moved = session.execute(update(FollowUpVisit)
                                .where(FollowUpVisit.id == visit_id, FollowUpVisit.done_at.is_(None))
                                .values(done_at=utc_now(console.settings), done_by=actor, note=note.strip())
                                .execution_options(synchronize_session=False)).rowcount
        if moved == 1:
            session.add(AuditLog(actor=actor, action="follow_up_done", target=f"follow_up:{visit_id}",
                                 detail=note.strip()[:2000]))
        return moved == 1
