"""Fixtures for the meal service: the demo rules and helpers to fill a canteen."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import Canteen, MealSitting
from actions.meals.rules import MealRules, load_rules
from bot.kernel.settings import PROJECT_ROOT

HOME = 1  # 幸福里幸福食堂: breakfast, lunch, dinner, every day
OTHER = 2  # 康乐苑助餐点: lunch and dinner, closed on Sundays


@pytest.fixture()
def rules() -> MealRules:
    return load_rules(PROJECT_ROOT / "data" / "meals.yml")


def fill(sessions, canteen_id: int, day: dt.date, meal_type: str, leave: int = 0) -> None:
    """Make a sitting full (or leave `leave` portions)."""
    with sessions.begin() as session:
        canteen = session.get(Canteen, canteen_id)
        capacity = next(m.capacity for m in canteen.meals if m.meal_type == meal_type)
        sitting = session.scalar(select(MealSitting).where(
            MealSitting.canteen_id == canteen_id, MealSitting.day == day, MealSitting.meal_type == meal_type))
        if sitting is None:
            session.add(MealSitting(canteen_id=canteen_id, day=day, meal_type=meal_type, capacity=capacity,
                                    booked=capacity - leave))
        else:
            sitting.booked = sitting.capacity - leave
