"""Booking and cancelling in one transaction: capacity, retries, cut-offs, and 100 at once."""
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from actions.db.models import DeliveryDay, MealBooking, MealSitting, Resident
from actions.meals.availability import MealChoice, Problem
from actions.meals.booking import MealRequest, book, cancel
from tests.conftest import NOW, TODAY
from tests.unit.actions.meals.conftest import HOME, fill

pytestmark = pytest.mark.both_databases

TOMORROW = TODAY + dt.timedelta(days=1)


def request(resident_id=1, quantity=1, delivery=False, message_id=None, booked_by="resident:1", day=TOMORROW,
            meal="午餐"):
    return MealRequest(resident_id, MealChoice(HOME, day, meal, quantity, delivery), booked_by, "test", message_id)


def sitting(sessions, day=TOMORROW, meal="午餐"):
    with sessions() as session:
        return session.scalar(select(MealSitting).where(MealSitting.canteen_id == HOME, MealSitting.day == day,
                                                        MealSitting.meal_type == meal))


def test_booking_writes_the_row_prices_and_counters(sessions, rules) -> None:
    result = book(sessions, rules, request(resident_id=1, quantity=2, delivery=True, booked_by="family:1"), NOW)
    assert result.ok and not result.replayed
    with sessions() as session:
        booking = session.get(MealBooking, result.booking_id)
        delivered = session.scalar(select(DeliveryDay.booked).where(DeliveryDay.canteen_id == HOME))
    # 张桂英 is 85: her portion is free, the second pays 15, delivery 3.
    assert (booking.quantity, booking.delivery, booking.subsidy, booking.delivery_fee, booking.price_total) == \
        (2, True, 15.0, 3.0, 18.0)
    assert (booking.booked_by, booking.status) == ("family:1", "booked")
    assert sitting(sessions).booked == 2 and delivered == 2


def test_the_same_message_books_once(sessions, rules) -> None:
    first = book(sessions, rules, request(message_id="msg-1"), NOW)
    again = book(sessions, rules, request(message_id="msg-1"), NOW)
    assert again.replayed and again.booking_id == first.booking_id
    with sessions() as session:
        assert session.scalar(select(func.count(MealBooking.id))) == 1
    assert sitting(sessions).booked == 1


def test_a_second_booking_of_the_same_meal_is_refused(sessions, rules) -> None:
    assert book(sessions, rules, request(), NOW).ok
    assert book(sessions, rules, request(quantity=2), NOW).problem is Problem.DUPLICATE


def test_full_is_refused_and_nothing_is_written(sessions, rules) -> None:
    fill(sessions, HOME, TOMORROW, "午餐", leave=1)
    assert book(sessions, rules, request(quantity=2), NOW).problem is Problem.FULL
    with sessions() as session:
        assert session.scalar(select(func.count(MealBooking.id))) == 0
    assert sitting(sessions).booked == 39


def test_cancel_gives_the_portions_back(sessions, rules) -> None:
    booked = book(sessions, rules, request(quantity=2, delivery=True), NOW)
    result = cancel(sessions, rules, booked.booking_id, "resident:1", NOW)
    assert result.ok and not result.already
    with sessions() as session:
        booking = session.get(MealBooking, booked.booking_id)
        delivered = session.scalar(select(DeliveryDay.booked).where(DeliveryDay.canteen_id == HOME))
    assert (booking.status, booking.cancelled_by) == ("cancelled", "resident:1")
    assert sitting(sessions).booked == 0 and delivered == 0
    assert cancel(sessions, rules, booked.booking_id, "resident:1", NOW).already
    assert sitting(sessions).booked == 0


def test_cancel_after_the_cutoff_is_refused(sessions, rules) -> None:
    booked = book(sessions, rules, request(day=TODAY), NOW)
    late = NOW.replace(hour=10)
    assert cancel(sessions, rules, booked.booking_id, "resident:1", late).problem is Problem.CUTOFF
    with sessions() as session:
        assert session.get(MealBooking, booked.booking_id).status == "booked"


def test_100_concurrent_bookings_on_40_places(sessions, rules) -> None:
    """Exactly 40 bookings and 60 clear refusals, whatever the interleaving."""
    with sessions.begin() as session:
        people = [Resident(name=f"测试{i}", gender="女", birth_date=dt.date(1940, 1, 1)) for i in range(100)]
        session.add_all(people)
        session.flush()
        ids = [person.id for person in people]
    start = threading.Barrier(100)

    def attempt(resident_id: int):
        start.wait(timeout=30)
        return book(sessions, rules, request(resident_id=resident_id, message_id=f"m-{resident_id}"), NOW)

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(attempt, ids, timeout=120))
    assert sum(result.ok for result in results) == 40
    assert [result.problem for result in results if not result.ok] == [Problem.FULL] * 60
    with sessions() as session:
        assert session.scalar(select(func.count(MealBooking.id))) == 40
        assert session.scalar(select(func.sum(MealBooking.quantity))) == 40
    assert sitting(sessions).booked == 40
