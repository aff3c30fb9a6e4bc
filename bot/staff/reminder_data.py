"""Reminders on a resident's page: the active ones, this week's adherence, and staff adding or stopping one."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Mapping, Optional, Tuple

from sqlalchemy import select

from actions.checkin.plan import valid_time
from actions.db.models import AuditLog, Reminder
from actions.reminders.adherence import week_of
from actions.reminders.schedule import describe_reminder, to_utc
from actions.reminders.store import active_reminders, add_reminder, stop_reminder
from bot.kernel.clock import local_now, utc_now
from bot.staff.app import Console

WHO = {"resident": "本人", "family": "家属", "staff": "工作人员"}


def view(console: Console, resident_id: Any) -> Optional[Dict[str, Any]]:
    """The active reminders and this week's taken / late / missed (None on the new-resident form)."""
    if not resident_id:
        return None
    settings = console.settings
    now = local_now(settings)
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time())
    with console.sessions() as session:
        rows = active_reminders(session, int(resident_id))
        week = week_of(session, int(resident_id), to_utc(monday, settings.timezone), utc_now(settings))
        items = [dict(id=r.id, said=describe_reminder(r, now.date()), by=WHO.get(r.created_by.split(":")[0], ""))
                 for r in rows]
    return dict(items=items, week=week, week_sentence=week.sentence())


def read_form(form: Mapping[str, Any], today: dt.date) -> Tuple[Optional[Dict[str, Any]], str]:
    """(values, "") or (None, what is wrong, in Chinese for staff)."""
    what = (form.get("what") or "").strip()[:20]
    time = valid_time(form.get("time") or "")
    daily = (form.get("daily") or "") in ("1", "on", "yes")
    if not what:
        return None, "请写上提醒什么，比如“吃降压药”。"
    if time is None:
        return None, "提醒时间请写成 21:00 这样。"
    day = None
    if not daily:
        try:
            day = dt.date.fromisoformat((form.get("day") or "").strip())
        except ValueError:
            return None, "不是每天的提醒，请写上日期，比如 2026-12-01。"
        if day < today:
            return None, "这个日期已经过去了。"
    hour, minute = (int(part) for part in time.split(":"))
    return dict(what=what, daily=daily, day=day, hour=hour, minute=minute), ""


def add(console: Console, resident_id: int, values: Dict[str, Any], actor: str) -> int:
    with console.sessions.begin() as session:
        row = add_reminder(session, resident_id, values["what"], values["daily"], values["day"], values["hour"],
                           values["minute"], actor, utc_now(console.settings))
        session.flush()
        session.add(AuditLog(actor=actor, action="reminder_set", target=f"reminder:{row.id}",
                             detail=f"resident:{resident_id} {values['hour']:02d}:{values['minute']:02d}"))
        return row.id


def stop(console: Console, resident_id: int, reminder_id: int, actor: str) -> bool:
    with console.sessions.begin() as session:
        row = session.scalar(select(Reminder).where(Reminder.id == reminder_id, Reminder.resident_id == resident_id,
                                                    Reminder.active.is_(True)))
        if row is None:
            return False
        stop_reminder(session, row, actor, utc_now(console.settings))
        session.add(AuditLog(actor=actor, action="reminder_stop", target=f"reminder:{reminder_id}",
                             detail=f"resident:{resident_id}"))
        return True
