"""Who is asked the daily check-in, and when: staff's choice, or on by default for residents living alone."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session

from actions.db.models import CheckinPlan, Resident

LIVES_ALONE = "独居"


@dataclass(frozen=True)
class Plan:
    resident_id: int
    enabled: bool
    time: str  # local "HH:MM"
    set_by_staff: bool

    @property
    def clock(self) -> dt.time:
        return dt.datetime.strptime(self.time, "%H:%M").time()


def lives_alone(resident: Resident) -> bool:
    return LIVES_ALONE in [flag.strip() for flag in (resident.flags or "").split(",")]


def plan_for(session: Session, resident_id: int, default_time: str) -> Optional[Plan]:
    """The resident's plan; without one staff set, on for 独居 at the default time (None: no such resident)."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        return None
    row = session.get(CheckinPlan, resident_id)
    if row is None:
        return Plan(resident_id, lives_alone(resident), default_time, False)
    return Plan(resident_id, bool(row.enabled), row.time, True)


def valid_time(raw: str) -> Optional[str]:
    """"9:00", "09:00", "９:３０" → "09:00"; None when it is not a time of day."""
    text = (raw or "").strip().translate(str.maketrans("０１２３４５６７８９：", "0123456789:"))
    try:
        return dt.datetime.strptime(text, "%H:%M").strftime("%H:%M")
    except ValueError:
        return None


def set_plan(session: Session, resident_id: int, enabled: bool, time: str, actor: str, now_utc: dt.datetime) -> None:
    """Staff switch the check-in on or off and choose its time (the caller audits it)."""
    row = session.get(CheckinPlan, resident_id)
    if row is None:
        row = CheckinPlan(resident_id=resident_id)
        session.add(row)
    row.enabled, row.time, row.updated_by, row.updated_at = enabled, time, actor, now_utc
