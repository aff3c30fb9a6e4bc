"""Dates as residents say them, resolved against fixed todays."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import pytest

from actions.lang.dates import DateMention, parse_date, weekday_name

MON = dt.date(2026, 11, 23)  # a Monday
SUN = dt.date(2026, 11, 29)  # a Sunday
EVE = dt.date(2026, 12, 30)  # a Wednesday at the turn of the year


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


DATES = [
    # relative day words
    ("今天", MON, d(11, 23)),
    ("今儿", MON, d(11, 23)),
    ("今儿个中午", MON, d(11, 23)),
    ("今日", MON, d(11, 23)),
    ("明天", MON, d(11, 24)),
    ("明儿", MON, d(11, 24)),
    ("明儿个早上", MON, d(11, 24)),
    ("明日", MON, d(11, 24)),
    ("后天", MON, d(11, 25)),
    ("后儿", MON, d(11, 25)),
    ("后儿个", MON, d(11, 25)),
    ("大后天", MON, d(11, 26)),
    ("昨天", MON, d(11, 22)),
    ("昨儿", MON, d(11, 22)),
    ("前天", MON, d(11, 21)),
    ("大前天", MON, d(11, 20)),
    ("我要订明天的午饭", MON, d(11, 24)),
    ("后 天 中 午", MON, d(11, 25)),
    ("明 天 晚 上 送 两 份", MON, d(11, 24)),
    # bare weekdays: the nearest one on or after today
    ("周一", MON, d(11, 23)),
    ("周三", MON, d(11, 25)),
    ("星期五", MON, d(11, 27)),
    ("礼拜六", MON, d(11, 28)),
    ("周日", MON, d(11, 29)),
    ("周天", MON, d(11, 29)),
    ("星期天", MON, d(11, 29)),
    ("礼拜日", MON, d(11, 29)),
    ("星 期 四", MON, d(11, 26)),
    ("周日", SUN, d(11, 29)),
    ("周一", SUN, d(11, 30)),
    ("周五", EVE, d(1, 1, 2027)),
    # this / next / last week
    ("这周三", MON, d(11, 25)),
    ("本周五", MON, d(11, 27)),
    ("这星期四", MON, d(11, 26)),
    ("这个星期日", MON, d(11, 29)),
    ("这礼拜一", MON, d(11, 23)),
    ("这周三", SUN, d(11, 25)),
    ("下周三", MON, d(12, 2)),
    ("下 周 三", MON, d(12, 2)),
    ("下星期一", MON, d(11, 30)),
    ("下个星期天", MON, d(12, 6)),
    ("下礼拜五", MON, d(12, 4)),
    ("下个礼拜二", MON, d(12, 1)),
    ("下周三", SUN, d(12, 2)),
    ("下周一", EVE, d(1, 4, 2027)),
    ("下下周一", MON, d(12, 7)),
    ("上周三", MON, d(11, 18)),
    ("上星期五", MON, d(11, 20)),
    ("上礼拜天", SUN, d(11, 22)),
    # weekends
    ("这周末", MON, d(11, 28)),
    ("周末", MON, d(11, 28)),
    ("这个周末", MON, d(11, 28)),
    ("本周末", MON, d(11, 28)),
    ("下周末", MON, d(12, 5)),
    ("这周末", SUN, d(11, 29)),
    ("周末", SUN, d(11, 29)),
    ("下周末", SUN, d(12, 5)),
    # month and day
    ("5月3号", MON, d(5, 3, 2027)),
    ("五月三号", MON, d(5, 3, 2027)),
    ("十二月二十五日", MON, d(12, 25)),
    ("12月25", MON, d(12, 25)),
    ("11月1号", MON, d(11, 1)),
    ("十 一 月 三 十 号", MON, d(11, 30)),
    ("1月3号", EVE, d(1, 3, 2027)),
    ("12月25号", EVE, d(12, 25)),
    ("2026年12月1日", MON, d(12, 1)),
    # day of the month alone
    ("3号", MON, d(12, 3)),
    ("三号", MON, d(12, 3)),
    ("二十八号", MON, d(11, 28)),
    ("30号", MON, d(11, 30)),
    ("十六号", MON, d(11, 16)),
    ("15号", MON, d(12, 15)),
    ("31号", MON, d(12, 31)),
    ("25日", MON, d(11, 25)),
    ("二十二号", SUN, d(11, 22)),
    ("二十号", SUN, d(12, 20)),
    ("3号", EVE, d(1, 3, 2027)),
    ("二十八号", EVE, d(12, 28)),
    ("下个月3号", MON, d(12, 3)),
    ("下个月三十一号", MON, d(12, 31)),
    ("下个月3号", EVE, d(1, 3, 2027)),
    # in N days
    ("三天后", MON, d(11, 26)),
    ("两天以后", MON, d(11, 25)),
    ("过两天", MON, d(11, 25)),
    ("过 三 天", EVE, d(1, 2, 2027)),
    # typed or sent by buttons
    ("2026-11-25", MON, d(11, 25)),
    ("2027-01-05", MON, d(1, 5, 2027)),
    ("11/25", MON, d(11, 25)),
    ("11.25", MON, d(11, 25)),
    ("1/2", EVE, d(1, 2, 2027)),
    # the first date wins
    ("明天还是后天", MON, d(11, 24)),
    ("周三或者下周三", MON, d(11, 25)),
    # not dates
    ("2月30号", MON, None),
    ("2月29号", EVE, None),
    ("2026-02-30", MON, None),
    ("3号楼", MON, None),
    ("三号楼", MON, None),
    ("5号门", MON, None),
    ("住在 12 号 楼", MON, None),
    ("下周", MON, None),
    ("下个月", MON, None),
    ("过几天", MON, None),
    ("两份", MON, None),
    ("三点", MON, None),
    ("7.5元", MON, None),
    ("一日三餐", MON, None),
    ("一周三次", MON, None),
    ("以前天天去食堂", MON, None),
    ("", MON, None),
]


@pytest.mark.parametrize("text,today,expected", DATES)
def test_parse_date(text: str, today: dt.date, expected: Optional[dt.date]) -> None:
    mention = parse_date(text, today)
    assert (mention.day if mention else None) == expected


SURFACES = [
    ("下周三", DateMention(d(12, 2), "下周三")),
    ("下 周 三 中 午", DateMention(d(12, 2), "下周三")),
    ("我想要后儿个的晚饭", DateMention(d(11, 25), "后儿个")),
    ("大后天送", DateMention(d(11, 26), "大后天")),
    ("5月3号送到3号楼", DateMention(d(5, 3, 2027), "5月3号")),
    ("送到3号楼，明天", DateMention(d(11, 24), "明天")),
    ("过两天吧", DateMention(d(11, 25), "过两天")),
    ("这个周末", DateMention(d(11, 28), "这个周末")),
]


@pytest.mark.parametrize("text,expected", SURFACES)
def test_parse_date_surface(text: str, expected: DateMention) -> None:
    assert parse_date(text, MON) == expected


@pytest.mark.parametrize(
    "day,expected",
    [(d(11, 23), "星期一"), (d(11, 25), "星期三"), (d(11, 28), "星期六"), (d(11, 29), "星期日")],
)
def test_weekday_name(day: dt.date, expected: str) -> None:
    assert weekday_name(day) == expected


def test_date_table_is_large_enough() -> None:
    assert len(DATES) >= 70
