"""Every reason a meal cannot be booked, and the nearest alternative offered instead."""
import datetime as dt

import pytest

from actions.db.models import Canteen
from actions.meals.alternatives import alternatives
from actions.meals.availability import MealChoice, Problem, problem_with
from tests.conftest import NOW, TODAY
from tests.unit.actions.meals.conftest import HOME, OTHER, fill

pytestmark = pytest.mark.both_databases

TOMORROW = TODAY + dt.timedelta(days=1)
SUNDAY = TODAY + dt.timedelta(days=6)  # 2026-11-29


def check(sessions, rules, choice, now=NOW, resident_id=None):
    with sessions() as session:
        return problem_with(session, rules, choice, now, resident_id)


@pytest.mark.parametrize("choice,problem", [
    (MealChoice(HOME, TOMORROW, "午餐", 2, True), None),
    (MealChoice(HOME, TODAY, "午餐", 1, False), None),  # 08:00, lunch closes at 09:30
    (MealChoice(HOME, TODAY - dt.timedelta(days=1), "午餐"), Problem.PAST),
    (MealChoice(HOME, TODAY + dt.timedelta(days=15), "午餐"), Problem.TOO_FAR),
    (MealChoice(OTHER, SUNDAY, "午餐"), Problem.CLOSED),
    (MealChoice(OTHER, TOMORROW, "早餐"), Problem.NOT_SERVED),
    (MealChoice(HOME, TODAY, "早餐"), Problem.CUTOFF),  # breakfast closes the evening before
    (MealChoice(HOME, TOMORROW, "午餐", 5, False), Problem.TOO_MANY),
    (MealChoice(HOME, TOMORROW), None),  # nothing more known yet: nothing wrong yet
])
def test_problems(sessions, rules, choice, problem) -> None:
    assert check(sessions, rules, choice) == problem


def test_cutoff_follows_the_clock(sessions, rules) -> None:
    lunch = MealChoice(HOME, TODAY, "午餐", 1, False)
    assert check(sessions, rules, lunch, now=NOW.replace(hour=9, minute=29)) is None
    assert check(sessions, rules, lunch, now=NOW.replace(hour=9, minute=30)) is Problem.CUTOFF


def test_full_and_delivery_full(sessions, rules) -> None:
    fill(sessions, HOME, TOMORROW, "午餐", leave=1)
    assert check(sessions, rules, MealChoice(HOME, TOMORROW, "午餐", 1, False)) is None
    assert check(sessions, rules, MealChoice(HOME, TOMORROW, "午餐", 2, False)) is Problem.FULL
    with sessions.begin() as session:
        session.get(Canteen, OTHER).delivery_daily_limit = 1
    assert check(sessions, rules, MealChoice(OTHER, TOMORROW, "晚餐", 2, True)) is Problem.DELIVERY_FULL
    assert check(sessions, rules, MealChoice(OTHER, TOMORROW, "晚餐", 2, False)) is None


def _alternatives(sessions, rules, choice, problem):
    with sessions() as session:
        return alternatives(session, rules, choice, problem, NOW)


def test_full_offers_the_other_canteen_then_the_next_meal(sessions, rules) -> None:
    fill(sessions, HOME, TOMORROW, "午餐")
    choice = MealChoice(HOME, TOMORROW, "午餐", 1, False)
    assert _alternatives(sessions, rules, choice, Problem.FULL) == [
        MealChoice(OTHER, TOMORROW, "午餐", 1, False), MealChoice(HOME, TOMORROW, "晚餐", 1, False)]


def test_cutoff_offers_the_next_meal_with_room(sessions, rules) -> None:
    fill(sessions, HOME, TODAY, "午餐")
    choice = MealChoice(HOME, TODAY, "早餐", 1, False)
    assert _alternatives(sessions, rules, choice, Problem.CUTOFF) == [MealChoice(HOME, TODAY, "晚餐", 1, False)]


def test_past_offers_the_same_meal_on_the_first_day_possible(sessions, rules) -> None:
    choice = MealChoice(HOME, TODAY - dt.timedelta(days=2), "午餐", 1, True)
    assert _alternatives(sessions, rules, choice, Problem.PAST) == [MealChoice(HOME, TODAY, "午餐", 1, True)]


def test_closed_day_offers_the_other_canteen_and_the_next_open_day(sessions, rules) -> None:
    choice = MealChoice(OTHER, SUNDAY, "午餐", 1, False)
    assert _alternatives(sessions, rules, choice, Problem.CLOSED) == [
        MealChoice(HOME, SUNDAY, "午餐", 1, False), MealChoice(OTHER, SUNDAY + dt.timedelta(days=1), "午餐", 1, False)]


def test_delivery_full_offers_dine_in_first(sessions, rules) -> None:
    with sessions.begin() as session:
        session.get(Canteen, HOME).delivery_daily_limit = 0
    choice = MealChoice(HOME, TOMORROW, "午餐", 1, True)
    assert _alternatives(sessions, rules, choice, Problem.DELIVERY_FULL)[0] == MealChoice(HOME, TOMORROW, "午餐", 1, False)


@pytest.mark.parametrize("problem", [Problem.TOO_MANY, Problem.DUPLICATE, Problem.TOO_FAR])
def test_no_alternative_where_the_person_must_change_their_answer(sessions, rules, problem) -> None:
    assert _alternatives(sessions, rules, MealChoice(HOME, TOMORROW, "午餐", 9, False), problem) == []
