"""Writing and cancelling meal bookings, each in one transaction that cannot overbook.

Capacity is held in counter rows (MealSitting, DeliveryDay) that a booking
moves with one conditional UPDATE (`booked + n <= capacity`): SQLite and
PostgreSQL both apply it atomically, so concurrent bookings never exceed the
capacity. A message id from the channel makes a retried message book once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.db.atomic import Refused, booked_by_message, insert_ignore, take_capacity
from actions.db.models import Canteen, DeliveryDay, MealBooking, MealSitting, Resident
from actions.meals.availability import MealChoice, Problem, problem_with, served_meal
from actions.meals.notices import notify_meal
from actions.meals.pricing import Quote, quote
from actions.meals.rules import MealRules
from bot.kernel.clock import utcnow


@dataclass(frozen=True)
class MealRequest:
    resident_id: int
    choice: MealChoice  # complete: day, meal type, quantity and delivery are set
    booked_by: str  # "resident:3", "family:2"
    channel: str = ""
    message_id: Optional[str] = None


@dataclass(frozen=True)
class BookingResult:
    booking_id: Optional[int] = None
    problem: Optional[Problem] = None
    replayed: bool = False  # the same message was seen before; nothing new was written

    @property
    def ok(self) -> bool:
        return self.booking_id is not None


def price_for(session: Session, rules: MealRules, resident: Resident, choice: MealChoice) -> Quote:
    canteen = session.get(Canteen, choice.canteen_id)
    meal = served_meal(session, choice.canteen_id, choice.meal_type or "")
    if canteen is None or meal is None or choice.day is None:
        raise ValueError("price_for needs a canteen, a served meal and a day")
    return quote(rules, meal.price, choice.quantity or 1, bool(choice.delivery), canteen.delivery_fee,
                 resident.age_on(choice.day))


def _reserve(session: Session, choice: MealChoice, canteen: Canteen, capacity: int) -> None:
    quantity = choice.quantity or 1
    insert_ignore(session, MealSitting.__table__,
                   dict(canteen_id=canteen.id, day=choice.day, meal_type=choice.meal_type, capacity=capacity,
                        booked=0), ("canteen_id", "day", "meal_type"))
    if not take_capacity(session, MealSitting, (MealSitting.canteen_id == canteen.id, MealSitting.day == choice.day,
                                        MealSitting.meal_type == choice.meal_type), quantity):
        raise Refused(Problem.FULL)
    if choice.delivery:
        insert_ignore(session, DeliveryDay.__table__,
                       dict(canteen_id=canteen.id, day=choice.day, capacity=canteen.delivery_daily_limit, booked=0),
                       ("canteen_id", "day"))
        if not take_capacity(session, DeliveryDay, (DeliveryDay.canteen_id == canteen.id, DeliveryDay.day == choice.day),
                     quantity):
            raise Refused(Problem.DELIVERY_FULL)


def book(sessions: sessionmaker, rules: MealRules, request: MealRequest, now: dt.datetime) -> BookingResult:
    """Book in one transaction: every check again, then the capacity, then the row."""
    seen = booked_by_message(sessions, MealBooking, request.message_id)
    if seen is not None:
        return BookingResult(booking_id=seen, replayed=True)
    choice = request.choice
    try:
        with sessions.begin() as session:
            problem = problem_with(session, rules, choice, now, request.resident_id)
            if problem is not None:
                raise Refused(problem)
            resident = session.get(Resident, request.resident_id)
            canteen = session.get(Canteen, choice.canteen_id)
            meal = served_meal(session, choice.canteen_id, choice.meal_type or "")
            if resident is None or canteen is None or meal is None:
                raise ValueError("unknown resident, canteen or meal")
            price = price_for(session, rules, resident, choice)
            _reserve(session, choice, canteen, meal.capacity)
            booking = MealBooking(
                resident_id=resident.id, canteen_id=canteen.id, day=choice.day, meal_type=choice.meal_type,
                quantity=choice.quantity or 1, delivery=bool(choice.delivery), unit_price=price.unit_price,
                subsidy=price.subsidy, delivery_fee=price.delivery_fee, price_total=price.total,
                status="booked", booked_by=request.booked_by, channel=request.channel,
                message_id=request.message_id)
            session.add(booking)
            session.flush()
            notify_meal(session, booking, "meal_booked", request.booked_by)
            return BookingResult(booking_id=booking.id)
    except Refused as refused:
        return BookingResult(problem=refused.problem)
    except IntegrityError:
        # The same message was booked by a concurrent retry: report that booking.
        seen = booked_by_message(sessions, MealBooking, request.message_id)
        if seen is None:
            raise
        return BookingResult(booking_id=seen, replayed=True)


@dataclass(frozen=True)
class CancelResult:
    ok: bool
    problem: Optional[Problem] = None  # CUTOFF when it is too late to cancel
    already: bool = False  # it was cancelled before


def cancel(sessions: sessionmaker, rules: MealRules, booking_id: int, actor: str, now: dt.datetime) -> CancelResult:
    """Cancel before the meal's cut-off and give the portions back, in one transaction."""
    with sessions.begin() as session:
        booking = session.get(MealBooking, booking_id)
        if booking is None:
            raise LookupError(f"meal booking {booking_id} does not exist")
        if booking.status == "cancelled":
            return CancelResult(ok=True, already=True)
        if now >= rules.cutoff(booking.day, booking.meal_type):
            return CancelResult(ok=False, problem=Problem.CUTOFF)
        changed = session.execute(
            update(MealBooking).where(MealBooking.id == booking_id, MealBooking.status == "booked")
            .values(status="cancelled", cancelled_at=utcnow(), cancelled_by=actor)
            .execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            return CancelResult(ok=True, already=True)
        session.execute(
            update(MealSitting).where(MealSitting.canteen_id == booking.canteen_id, MealSitting.day == booking.day,
                                      MealSitting.meal_type == booking.meal_type)
            .values(booked=MealSitting.booked - booking.quantity).execution_options(synchronize_session=False))
        if booking.delivery:
            session.execute(
                update(DeliveryDay).where(DeliveryDay.canteen_id == booking.canteen_id, DeliveryDay.day == booking.day)
                .values(booked=DeliveryDay.booked - booking.quantity).execution_options(synchronize_session=False))
        notify_meal(session, booking, "meal_cancelled", actor)
        return CancelResult(ok=True)
