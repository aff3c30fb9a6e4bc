"""When a reminder falls due, on the community's clock (local naive times in, UTC naive out)."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional
from zoneinfo import ZoneInfo

from actions.db.models import Reminder
from actions.lang.dates import weekday_name
from actions.lang.reminders import say_clock


def hour_minute(reminder: Reminder) -> tuple:
    hour, minute = reminder.time.split(":")
    return int(hour), int(minute)


def to_utc(local: dt.datetime, timezone: str) -> dt.datetime:
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.timezone.utc).replace(tzinfo=None)


def due_times(reminder: Reminder, since_local: dt.datetime, until_local: dt.datetime) -> List[dt.datetime]:
    """The local times in (since, until] at which the reminder falls due."""
    hour, minute = hour_minute(reminder)
    if not reminder.daily:
        if reminder.day is None:
            return []
        at = dt.datetime.combine(reminder.day, dt.time(hour, minute))
        return [at] if since_local < at <= until_local else []
    times = []
    day = since_local.date()
    while day <= until_local.date():
        at = dt.datetime.combine(day, dt.time(hour, minute))
        if since_local < at <= until_local:
            times.append(at)
        day += dt.timedelta(days=1)
    return times


def next_due(reminder: Reminder, now_local: dt.datetime) -> Optional[dt.datetime]:
    hour, minute = hour_minute(reminder)
    if not reminder.daily:
        at = dt.datetime.combine(reminder.day, dt.time(hour, minute)) if reminder.day else None
        return at if at and at > now_local else None
    at = dt.datetime.combine(now_local.date(), dt.time(hour, minute))
    return at if at > now_local else at + dt.timedelta(days=1)


def describe(what: str, daily: bool, day: Optional[dt.date], hour: int, minute: int, today: dt.date) -> str:
    """"每天晚上九点提醒您吃药" without the "您": "每天晚上九点，吃药"-style parts for sentences."""
    when = "每天" + say_clock(hour, minute) if daily else say_day(day, today) + say_clock(hour, minute)
    return f"{when}{what}"


def describe_reminder(reminder: Reminder, today: dt.date) -> str:
    hour, minute = hour_minute(reminder)
    return describe(reminder.what, reminder.daily, reminder.day, hour, minute, today)


_NEAR = {0: "今天", 1: "明天", 2: "后天"}


def say_day(day: dt.date, today: dt.date) -> str:
    """"明天（11月24日）", "12月1日星期二": a day as a reminder's read-back says it."""
    near = _NEAR.get((day - today).days)
    return f"{near}（{day.month}月{day.day}日）" if near else f"{day.month}月{day.day}日{weekday_name(day)}"
