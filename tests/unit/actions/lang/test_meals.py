"""Meals, delivery and times of day as residents say them."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.lang.meals import TimeMention, parse_delivery, parse_meal, parse_time

MEALS = [
    ("早饭", "早餐"), ("早餐", "早餐"), ("早点", "早餐"), ("早上", "早餐"), ("早晨", "早餐"),
    ("清早", "早餐"), ("一早", "早餐"), ("明天早上", "早餐"), ("明 天 早 上", "早餐"),
    ("午饭", "午餐"), ("午餐", "午餐"), ("中午", "午餐"), ("中饭", "午餐"), ("中午饭", "午餐"),
    ("晌午", "午餐"), ("晌午饭", "午餐"), ("晌午头", "午餐"), ("五饭", "午餐"), ("中五", "午餐"),
    ("后天中午两份", "午餐"),
    ("晚饭", "晚餐"), ("晚餐", "晚餐"), ("晚上", "晚餐"), ("傍晚", "晚餐"), ("夜饭", "晚餐"),
    ("晚上饭", "晚餐"), ("黑夜饭", "晚餐"),
    ("不要早饭，要午饭", "午餐"),
    ("下午", None), ("上午", None), ("下午三点", None), ("上午十点", None),
    ("早上好", None), ("早点送来", None), ("两份", None),
]


@pytest.mark.parametrize("text,expected", MEALS)
def test_parse_meal(text: str, expected: Optional[str]) -> None:
    assert parse_meal(text) == expected


DELIVERY = [
    ("送到家", True), ("送到家里", True), ("送家里", True), ("送家", True), ("送上门", True),
    ("送餐上门", True), ("送饭上门", True), ("送过来", True), ("送来吧", True), ("外送", True),
    ("配送", True), ("上门送", True), ("送到楼下", True), ("给我送", True), ("送 过 来", True),
    ("不去食堂", True), ("不去吃", True), ("要不送过来吧", True), ("不去食堂了，送过来", True),
    ("堂食", False), ("去食堂吃", False), ("在食堂吃", False), ("到食堂吃", False), ("上食堂吃", False),
    ("自己去吃", False), ("过去吃", False), ("去吃", False), ("自己去", False), ("到店吃", False),
    ("不用送", False), ("不要送", False), ("别送", False), ("不送", False), ("不用送，我去食堂吃", False),
    ("好的", None), ("两份", None),
]


@pytest.mark.parametrize("text,expected", DELIVERY)
def test_parse_delivery(text: str, expected: Optional[bool]) -> None:
    assert parse_delivery(text) is expected


TIMES = [
    ("上午", TimeMention("上午", None)),
    ("下午", TimeMention("下午", None)),
    ("早上", TimeMention("上午", None)),
    ("早晨", TimeMention("上午", None)),
    ("中午", TimeMention("下午", 12)),
    ("晚上", TimeMention("下午", 18)),
    ("下午三点", TimeMention("下午", 15, 0)),
    ("下 午 三 点", TimeMention("下午", 15, 0)),
    ("三点", TimeMention("下午", 15)),
    ("上午十点半", TimeMention("上午", 10, 30)),
    ("九点", TimeMention("上午", 9)),
    ("七点", TimeMention("上午", 7)),
    ("十二点", TimeMention("下午", 12)),
    ("两点半", TimeMention("下午", 14, 30)),
    ("十点一刻", TimeMention("上午", 10, 15)),
    ("三点十五", TimeMention("下午", 15, 15)),
    ("两点零五", TimeMention("下午", 14, 5)),
    ("下午2:30", TimeMention("下午", 14, 30)),
    ("15:00", TimeMention("下午", 15)),
    ("晚上八点", TimeMention("下午", 20)),
    ("中午一点", TimeMention("下午", 13)),
    ("明天早上，九点", TimeMention("上午", 9)),
    ("三点两份", TimeMention("下午", 15)),
    ("3号", None),
    ("三份", None),
    ("周三", None),
    ("周三点餐", None),
    ("早一点", None),
    ("早上好", None),
    ("午饭", None),
]


@pytest.mark.parametrize("text,expected", TIMES)
def test_parse_time(text: str, expected: Optional[TimeMention]) -> None:
    assert parse_time(text) == expected


def test_tables_are_large_enough() -> None:
    assert len(MEALS) >= 20 and len(DELIVERY) >= 15 and len(TIMES) >= 15
