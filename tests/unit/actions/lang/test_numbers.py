"""Numbers, head counts and ages as residents say them."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.lang.numbers import chinese_number, parse_age, parse_quantity

NUMBERS = [
    ("两", 2), ("俩", 2), ("仨", 3), ("幺", 1), ("三", 3), ("十", 10), ("十二", 12),
    ("八十二", 82), ("一百零三", 103), ("82", 82), ("８２", 82), ("八 十 二", 82),
    ("两份", None), ("三两", None), ("", None), ("好", None),
]


@pytest.mark.parametrize("text,expected", NUMBERS)
def test_chinese_number(text: str, expected: Optional[int]) -> None:
    assert chinese_number(text) == expected


QUANTITIES = [
    ("一份", 1),
    ("两份", 2),
    ("2份", 2),
    ("三个人", 3),
    ("两个人", 2),
    ("俩人", 2),
    ("我们俩", 2),
    ("咱俩", 2),
    ("我俩", 2),
    ("老两口", 2),
    ("仨人", 3),
    ("两位", 2),
    ("四口人", 4),
    ("我跟老伴两个", 2),
    ("我和老伴", 2),
    ("跟我家老头子一起吃", 2),
    ("就我一个", 1),
    ("就我自己", 1),
    ("我一个人", 1),
    ("一个人", 1),
    ("十份", 10),
    ("要俩", 2),
    ("改成三份", 3),
    ("两份晚饭", 2),
    ("两个", 2),
    ("两 份", 2),
    ("我 们 俩", 2),
    ("咱们仨", 3),
    ("明天中午两份", 2),
    ("周三两份", 2),
    ("下午两点两个人", 2),
    ("5月3号三份", 3),
    ("我们俩要三份", 3),  # the number of servings wins over the head count
    ("3号", None),
    ("5月3号", None),
    ("三点", None),
    ("下午两点", None),
    ("周三", None),
    ("星期二", None),
    ("礼拜五", None),
    ("3号楼", None),
    ("两个月", None),
    ("两", None),
    ("3", None),
    ("零份", None),
    ("好的", None),
]


@pytest.mark.parametrize("text,expected", QUANTITIES)
def test_parse_quantity(text: str, expected: Optional[int]) -> None:
    assert parse_quantity(text) == expected


BARE_QUANTITIES = [
    ("两", 2), ("3", 3), ("三", 3), ("两吧", 2), ("十二", 12), ("两份", 2),
    ("周三", None), ("3号", None), ("三点", None), ("好", None),
]


@pytest.mark.parametrize("text,expected", BARE_QUANTITIES)
def test_parse_quantity_bare_number(text: str, expected: Optional[int]) -> None:
    assert parse_quantity(text, bare_number_ok=True) == expected


AGES = [
    ("我八十二了", 82),
    ("八十二岁", 82),
    ("82岁", 82),
    ("我今年七十五", 75),
    ("俺八十六了", 86),
    ("九十", 90),
    ("我 今 年 八 十 岁", 80),
    ("八十多了", 80),
    ("一百零一岁", 101),
    ("我要九十", None),
    ("我三十", None),
    ("一百五十岁", None),
    ("三点", None),
    ("两份", None),
    ("九十份", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", AGES)
def test_parse_age(text: str, expected: Optional[int]) -> None:
    assert parse_age(text) == expected


def test_tables_are_large_enough() -> None:
    assert len(QUANTITIES) >= 30 and len(AGES) >= 10
