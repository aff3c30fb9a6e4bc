"""How an activity is said: its time, its place, a short line for lists and the read-back."""
from __future__ import annotations

import datetime as dt

from actions.db.models import Activity
from actions.lang.dates import weekday_name


def when_said(starts_at: dt.datetime) -> str:
    """"11月25日（星期三）上午9点半"."""
    hour, minute = starts_at.hour, starts_at.minute
    part = "上午" if hour < 12 else ("下午" if hour < 18 else "晚上")
    shown = hour if hour <= 12 else hour - 12
    clock = f"{shown}点" + ("半" if minute == 30 else (f"{minute}分" if minute else ""))
    return f"{starts_at.month}月{starts_at.day}日（{weekday_name(starts_at.date())}）{part}{clock}"


def line(activity: Activity) -> str:
    """One activity in a list: title, time, place."""
    where = f"，在{activity.place}" if activity.place else ""
    return f"{activity.title}，{when_said(activity.starts_at)}{where}"


def places_left(activity: Activity) -> str:
    left = activity.capacity - activity.booked
    return "名额已经满了" if left <= 0 else f"还有{left}个名额"


def read_back(activity: Activity, whose: str = "您") -> str:
    for_whom = f"，面向{activity.for_whom}" if activity.for_whom else ""
    return f"我念一下：给{whose}报名{line(activity)}{for_whom}。对吗？"
