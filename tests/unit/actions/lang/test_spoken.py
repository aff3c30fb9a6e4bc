"""Wording read out to residents."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.lang.spoken import say_count, say_date, say_money

TODAY = dt.date(2026, 11, 23)

SAY_DATES = [
    (dt.date(2026, 11, 23), TODAY, "今天（11月23日，星期一）"),
    (dt.date(2026, 11, 24), TODAY, "明天（11月24日，星期二）"),
    (dt.date(2026, 11, 25), TODAY, "后天（11月25日，星期三）"),
    (dt.date(2026, 11, 28), TODAY, "11月28日，星期六"),
    (dt.date(2026, 11, 29), TODAY, "11月29日，星期日"),
    (dt.date(2026, 11, 20), TODAY, "11月20日，星期五"),
    (dt.date(2027, 1, 5), TODAY, "2027年1月5日，星期二"),
    (dt.date(2027, 1, 1), dt.date(2026, 12, 31), "明天（2027年1月1日，星期五）"),
]


@pytest.mark.parametrize("day,today,expected", SAY_DATES)
def test_say_date(day: dt.date, today: dt.date, expected: str) -> None:
    assert say_date(day, today) == expected


SAY_COUNTS = [
    (1, "份", "一份"), (2, "份", "两份"), (3, "份", "三份"), (10, "份", "十份"),
    (12, "份", "十二份"), (20, "份", "二十份"), (22, "份", "二十二份"), (200, "份", "两百份"),
    (2, "个人", "两个人"), (1, "个人", "一个人"), (4, "位", "四位"),
]


@pytest.mark.parametrize("n,unit,expected", SAY_COUNTS)
def test_say_count(n: int, unit: str, expected: str) -> None:
    assert say_count(n, unit) == expected


def test_say_count_defaults_to_servings() -> None:
    assert say_count(2) == "两份"


SAY_MONEY = [
    (0, "免费"), (0.0, "免费"), (12.0, "12元"), (12, "12元"), (7.5, "7.5元"),
    (3.25, "3.25元"), (10.10, "10.1元"), (100.0, "100元"),
]


@pytest.mark.parametrize("amount,expected", SAY_MONEY)
def test_say_money(amount: float, expected: str) -> None:
    assert say_money(amount) == expected
