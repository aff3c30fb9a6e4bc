"""The conversation evaluation's per-turn checks (bench/dialogues.py): each expectation fails when it should."""
from __future__ import annotations

import pytest

from bench.dialogues import Observed, ScriptError, check, parse, question_count

SEEN = Observed(text="我念一下：订明天的午饭，一份，送到家。对吗？", intent="book_meal",
                actions=["meal_booking_form"], slots={"meal_type": "午餐", "meal_quantity": 1.0, "meal_delivery": True},
                rows={"张桂英:meal_bookings": 0, "王建国:meal_bookings": 1})


def test_a_turn_that_meets_every_expectation_passes() -> None:
    expect = {"intent": "book_meal", "actions": ["meal_booking_form"], "not_actions": ["action_cancel_booking"],
              "slots": {"meal_type": "午餐", "meal_quantity": 1, "meal_delivery": True}, "says": ["午饭", "送到家"],
              "says_any": ["几份", "一份"], "not_says": ["取消"], "max_questions": 1, "rows": {"meal_bookings": 0}}
    assert check(expect, SEEN, "张桂英") == []


@pytest.mark.parametrize("expect, words", [
    ({"intent": "cancel_booking"}, "intent"),
    ({"actions": ["action_book_meal"]}, "did not run"),
    ({"not_actions": ["meal_booking_form"]}, "ran"),
    ({"slots": {"meal_type": "晚餐"}}, "slot meal_type"),
    ({"slots": {"meal_delivery": False}}, "slot meal_delivery"),
    ({"says": ["晚饭"]}, "does not say"),
    ({"says_any": ["晚饭", "两份"]}, "says none"),
    ({"not_says": ["送到家"]}, "says '送到家'"),
    ({"max_questions": 0}, "questions"),
    ({"rows": {"meal_bookings": 1}}, "meal_bookings for 张桂英"),
    ({"rows": {"meal_bookings": 0, "resident": "王建国"}}, "meal_bookings for 王建国"),
])
def test_each_expectation_can_fail(expect, words) -> None:
    problems = check(expect, SEEN, "张桂英")
    assert len(problems) == 1 and words in problems[0]


def test_questions_are_counted_in_both_widths() -> None:
    assert question_count("几份？送到家吗?") == 2


@pytest.mark.parametrize("document", [
    {"conversations": [{"id": "a", "kind": "forms", "channel": "home_kiosk", "resident": "张桂英",
                        "turns": [{"say": "你好"}]}]},  # no source
    {"conversations": [{"id": "a", "kind": "chat", "source": "x", "resident": "张桂英", "turns": [{"say": "你好"}]}]},
    {"conversations": [{"id": "a", "kind": "forms", "source": "x", "channel": "telegram", "turns": [{"say": "你好"}]}]},
    {"conversations": [{"id": "a", "kind": "forms", "source": "x", "resident": "张桂英",
                        "turns": [{"say": "你好", "expect": {"sayz": ["x"]}}]}]},
    {"conversations": [{"id": "a", "kind": "forms", "source": "x", "resident": "张桂英",
                        "turns": [{"say": "你好", "expect": {"rows": {"bookings": 1}}}]}]},
])
def test_malformed_conversations_are_refused(document) -> None:
    with pytest.raises(ScriptError):
        parse(document, "tuned")
