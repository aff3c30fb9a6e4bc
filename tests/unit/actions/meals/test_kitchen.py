"""The kitchen list: portions per canteen and meal, dine-in and delivery, dietary notes."""
import datetime as dt

import pytest

from actions.meals.availability import MealChoice
from actions.meals.booking import MealRequest, book
from actions.meals.kitchen import format_kitchen_list, kitchen_list
from bot.ops import cli
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_databases

TOMORROW = TODAY + dt.timedelta(days=1)


def _book(sessions, rules, resident_id, canteen_id, meal, quantity, delivery):
    choice = MealChoice(canteen_id, TOMORROW, meal, quantity, delivery)
    assert book(sessions, rules, MealRequest(resident_id, choice, f"resident:{resident_id}"), NOW).ok


def test_kitchen_list_counts_and_notes(sessions, rules) -> None:
    _book(sessions, rules, 1, 1, "午餐", 2, True)    # 张桂英: 低盐
    _book(sessions, rules, 2, 1, "午餐", 1, False)   # 王建国: 糖尿病,低糖
    _book(sessions, rules, 5, 1, "午餐", 1, False)   # 陈淑珍: no notes
    _book(sessions, rules, 3, 2, "晚餐", 1, True)    # 李秀兰: 软烂
    with sessions() as session:
        rows = kitchen_list(session, TOMORROW)
    table = {(row.canteen, row.meal_type): row for row in rows}
    assert [(r.canteen, r.meal_type) for r in rows] == [
        ("幸福里幸福食堂", "早餐"), ("幸福里幸福食堂", "午餐"), ("幸福里幸福食堂", "晚餐"),
        ("康乐苑助餐点", "午餐"), ("康乐苑助餐点", "晚餐")]
    lunch = table[("幸福里幸福食堂", "午餐")]
    assert (lunch.dine_in, lunch.delivery, lunch.total, lunch.capacity) == (2, 2, 4, 40)
    assert dict(lunch.dietary_notes) == {"低盐": 1, "糖尿病": 1, "低糖": 1}
    text = format_kitchen_list(TOMORROW, rows)
    assert "午餐：共4份（堂食2，送餐2），容量40；饮食要求：" in text
    assert "晚餐：共1份（堂食0，送餐1），容量20；饮食要求：软烂×1" in text


def test_closed_canteen_is_left_out(sessions) -> None:
    sunday = dt.date(2026, 11, 29)
    with sessions() as session:
        rows = kitchen_list(session, sunday)
    assert {row.canteen for row in rows} == {"幸福里幸福食堂"}


def test_kitchen_command(sessions, rules, capsys) -> None:
    _book(sessions, rules, 1, 1, "晚餐", 1, False)
    assert cli.main(["kitchen", "--date", TOMORROW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("厨房备餐单 2026-11-24") and "晚餐：共1份（堂食1，送餐0）" in out


def test_kitchen_command_refuses_a_bad_date(sessions, capsys) -> None:
    assert cli.main(["kitchen", "--date", "明天"]) == 2
    assert "--date must look like 2026-11-24" in capsys.readouterr().err
