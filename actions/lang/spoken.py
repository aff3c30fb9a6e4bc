"""Dates, counts and prices worded the way they are read out to an 80-year-old."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import cn2an

from actions.lang.dates import weekday_name

_NEAR_DAYS = {0: "今天", 1: "明天", 2: "后天"}


def say_date(day: dt.date, today: dt.date) -> str:
    """"明天（11月24日，星期二）": near days by name with the date to confirm, others plainly."""
    year = f"{day.year}年" if day.year != today.year else ""
    plain = f"{year}{day.month}月{day.day}日，{weekday_name(day)}"
    near = _NEAR_DAYS.get((day - today).days)
    return f"{near}（{plain}）" if near else plain


def say_count(n: int, unit: str = "份") -> str:
    """"两份" rather than "二份": the way a count is said aloud."""
    if n == 1:
        return f"一{unit}"
    if n == 2:
        return f"两{unit}"
    words = cn2an.an2cn(n)
    if words.startswith(("二百", "二千")):  # 200 is said 两百
        words = "两" + words[1:]
    return f"{words}{unit}"


def say_money(amount: float) -> str:
    """"免费" for nothing, else yuan without trailing zeros ("7.5元", "12元")."""
    cents = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents == 0:
        return "免费"
    text = format(cents, "f").rstrip("0").rstrip(".")
    return f"{text}元"
