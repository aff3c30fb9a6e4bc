"""The daily check-in on a resident's page: staff's switch and time, and the last two weeks of answers."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import select

from actions.checkin.plan import plan_for, set_plan, valid_time
from actions.db.models import AuditLog, Checkin
from bot.kernel.clock import local_today, to_local, utc_now
from bot.staff.app import Console

SHOWN_DAYS = 14
MOODS = {"ok": "挺好", "low": "不太好"}


def view(console: Console, resident_id: Any) -> Optional[Dict[str, Any]]:
    """The plan and recent check-ins (None on the new-resident form)."""
    if not resident_id:
        return None
    settings = console.settings
    since = local_today(settings) - dt.timedelta(days=SHOWN_DAYS)
    with console.sessions() as session:
        plan = plan_for(session, int(resident_id), settings.checkin_time)
        rows = list(session.scalars(select(Checkin).where(Checkin.resident_id == int(resident_id),
                                                          Checkin.day >= since).order_by(Checkin.day.desc())))
    if plan is None:
        return None
    days: List[Dict[str, Any]] = []
    for row in rows:
        asked, answered = to_local(settings, row.asked_at), to_local(settings, row.answered_at)
        days.append(dict(day=row.day, tries=row.tries, asked=asked.strftime("%H:%M") if asked else "",
                         answered=answered.strftime("%H:%M") if answered else "", answer=row.answer,
                         mood=MOODS.get(row.mood or "", ""), escalated=row.escalated_at is not None,
                         alert_id=row.alert_id))
    return dict(enabled=plan.enabled, time=plan.time, by_default=not plan.set_by_staff, days=days)


def read_form(form: Mapping[str, Any]) -> Tuple[bool, Optional[str]]:
    """(on?, "HH:MM" or None when the time is not a time)."""
    enabled = (form.get("checkin_enabled") or "") in ("1", "on", "yes")
    return enabled, valid_time(form.get("checkin_time") or "")


def save(console: Console, resident_id: int, enabled: bool, time: str, actor: str) -> None:
    """Written with its audit row in one transaction."""
    with console.sessions.begin() as session:
        set_plan(session, resident_id, enabled, time, actor, utc_now(console.settings))
        session.add(AuditLog(actor=actor, action="checkin_plan_set", target=f"resident:{resident_id}",
                             detail=f"enabled={enabled} time={time}"))
