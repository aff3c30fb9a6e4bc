"""Reminder requests as residents and relatives say them: what, every day or once, which day, what time."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.lang.reminders import parse_clock, parse_reminder, say_clock

MONDAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("said, what, daily, day, hour, minute, needs", [
    ("每晚睡前提醒我吃药", "吃药", True, None, 21, 0, ""),
    ("下周二上午提醒我去医院复查", "去医院复查", False, dt.date(2026, 12, 1), 9, 0, ""),
    ("饭后提醒我吃药", "吃药", False, None, None, 0, "饭后"),
    ("提醒我妈每天晚上九点吃药", "吃药", True, None, 21, 0, ""),
    ("别忘了带医保卡", "带医保卡", False, None, None, 0, ""),
    ("小暖，你每天早上八点叫我吃降压药中不中", "吃降压药", True, None, 8, 0, ""),
    ("礼拜五下午两点半提醒我去老年大学上课", "去老年大学上课", False, dt.date(2026, 11, 27), 14, 30, ""),
    ("明天下午三点提醒我去社区医院拿药", "去社区医院拿药", False, dt.date(2026, 11, 24), 15, 0, ""),
])
def test_requests(said, what, daily, day, hour, minute, needs) -> None:
    words = parse_reminder(said, MONDAY)
    assert (words.what, words.daily, words.day, words.hour, words.minute, words.needs_time) == (
        what, daily, day, hour, minute, needs)


def test_answers_to_what_time_and_how_times_are_read_back() -> None:
    assert parse_clock("八点半") == (8, 30)
    assert parse_clock("晚上九点") == (21, 0)
    assert parse_clock("中午十二点半吧") == (12, 30)
    assert parse_clock("不知道") is None
    assert [say_clock(*t) for t in ((21, 0), (8, 30), (14, 30), (12, 0), (10, 15))] == [
        "晚上九点", "早上八点半", "下午两点半", "中午十二点", "上午十点十五分"]
