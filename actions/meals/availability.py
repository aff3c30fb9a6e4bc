"""Can this meal be booked? The checks, in the order a person would explain them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.db.models import Canteen, CanteenMeal, DeliveryDay, MealBooking, MealSitting
from actions.meals.rules import MealRules


class Problem(str, Enum):
    PAST = "past"
    TOO_FAR = "too_far"
    CLOSED = "closed"
    NOT_SERVED = "not_served"
    CUTOFF = "cutoff"
    DUPLICATE = "duplicate"
    TOO_MANY = "too_many"
    FULL = "full"
    DELIVERY_FULL = "delivery_full"


@dataclass(frozen=True)
class MealChoice:
    """What is asked for so far; None where the person has not said yet."""

    canteen_id: int
    day: Optional[dt.date] = None
    meal_type: Optional[str] = None
    quantity: Optional[int] = None
    delivery: Optional[bool] = None


def remaining_portions(session: Session, canteen_id: int, day: dt.date, meal_type: str) -> int:
    sitting = session.scalar(select(MealSitting).where(
        MealSitting.canteen_id == canteen_id, MealSitting.day == day, MealSitting.meal_type == meal_type))
    if sitting is not None:
        return sitting.capacity - sitting.booked
    meal = served_meal(session, canteen_id, meal_type)
    return meal.capacity if meal else 0


def remaining_deliveries(session: Session, canteen: Canteen, day: dt.date) -> int:
    row = session.scalar(select(DeliveryDay).where(DeliveryDay.canteen_id == canteen.id, DeliveryDay.day == day))
    return row.capacity - row.booked if row is not None else canteen.delivery_daily_limit


def served_meal(session: Session, canteen_id: int, meal_type: str) -> Optional[CanteenMeal]:
    return session.scalar(select(CanteenMeal).where(CanteenMeal.canteen_id == canteen_id,
                                                    CanteenMeal.meal_type == meal_type))


def existing_booking(session: Session, resident_id: int, day: dt.date, meal_type: str) -> Optional[MealBooking]:
    return session.scalar(select(MealBooking).where(
        MealBooking.resident_id == resident_id, MealBooking.day == day, MealBooking.meal_type == meal_type,
        MealBooking.status == "booked").order_by(MealBooking.id))


def booked_portions(session: Session, canteen_id: int, day: dt.date, meal_type: str) -> int:
    return session.scalar(select(func.coalesce(func.sum(MealBooking.quantity), 0)).where(
        MealBooking.canteen_id == canteen_id, MealBooking.day == day, MealBooking.meal_type == meal_type,
        MealBooking.status == "booked")) or 0


def problem_with(session: Session, rules: MealRules, choice: MealChoice, now: dt.datetime,
                 resident_id: Optional[int] = None) -> Optional[Problem]:
    """The first reason the choice cannot be booked, judged on what is known so far."""
    if choice.day is not None:
        if choice.day < now.date():
            return Problem.PAST
        if choice.day > now.date() + dt.timedelta(days=rules.days_ahead):
            return Problem.TOO_FAR
        canteen = session.get(Canteen, choice.canteen_id)
        if canteen is None or canteen.closed_on(choice.day):
            return Problem.CLOSED
    if choice.meal_type is not None and served_meal(session, choice.canteen_id, choice.meal_type) is None:
        return Problem.NOT_SERVED
    if choice.day is None or choice.meal_type is None:
        return _quantity_problem(rules, choice)
    if now >= rules.cutoff(choice.day, choice.meal_type):
        return Problem.CUTOFF
    if resident_id is not None and existing_booking(session, resident_id, choice.day, choice.meal_type):
        return Problem.DUPLICATE
    quantity_problem = _quantity_problem(rules, choice)
    if quantity_problem is not None:
        return quantity_problem
    if remaining_portions(session, choice.canteen_id, choice.day, choice.meal_type) < (choice.quantity or 1):
        return Problem.FULL
    if choice.delivery:
        canteen = session.get(Canteen, choice.canteen_id)
        if remaining_deliveries(session, canteen, choice.day) < (choice.quantity or 1):
            return Problem.DELIVERY_FULL
    return None


def _quantity_problem(rules: MealRules, choice: MealChoice) -> Optional[Problem]:
    if choice.quantity is not None and choice.quantity > rules.max_quantity:
        return Problem.TOO_MANY
    return None
