"""Booking visits: the row, its history, a helper from the pool, notices, retries and 100 at once."""
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from actions.db.models import OutboxMessage, Resident, ServiceBooking, ServiceBookingChange, ServiceSlot
from actions.services.slots import Problem
from tests.unit.actions.services.conftest import TUESDAY, book

pytestmark = pytest.mark.both_databases


def _booking(sessions, booking_id):
    with sessions() as session:
        booking = session.get(ServiceBooking, booking_id)
        changes = [(c.from_status, c.to_status, c.actor) for c in booking.changes]
        outbox = [(o.recipient, o.kind, o.text) for o in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        return booking, changes, outbox


def test_a_visit_without_a_helper_pool_waits_for_staff(sessions, catalogue) -> None:
    result = book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=4, note="要女护工")
    booking, changes, outbox = _booking(sessions, result.booking_id)
    # 刘德明 is 失能: 20 yuan off the 50 of a bath.
    assert (booking.status, booking.note, booking.unit_price, booking.subsidy, booking.price_total) == \
        ("requested", "要女护工", 50.0, 20.0, 30.0)
    assert changes == [(None, "requested", "resident:4")]
    # His grandson 刘洋 (family 3) is told; he himself made it, so he is not.
    assert outbox == [("family:3", "service_booked", "刘德明的助浴约好了：11月24日上午，等工作人员确认。")]


def test_a_helper_pool_confirms_at_once(sessions, catalogue) -> None:
    first = book(sessions, catalogue, "cleaning", TUESDAY, "上午", resident_id=1, booked_by="family:1")
    second = book(sessions, catalogue, "cleaning", TUESDAY, "上午", resident_id=2)
    one, changes, outbox = _booking(sessions, first.booking_id)
    two, _, _ = _booking(sessions, second.booking_id)
    assert (one.status, one.helper_name, two.helper_name) == ("confirmed", "李阿姨", "王阿姨")
    assert changes == [(None, "requested", "family:1"), ("requested", "confirmed", "system")]
    # The resident is told; the family member who booked it is not told what they just did.
    assert ("resident:1", "service_confirmed", "您的助洁已经确认：11月24日上午，李阿姨上门。") in outbox
    assert not any(recipient == "family:1" for recipient, _, _ in outbox)


def test_the_same_message_books_once(sessions, catalogue) -> None:
    first = book(sessions, catalogue, "repair", TUESDAY, "下午", message_id="svc-1")
    again = book(sessions, catalogue, "repair", TUESDAY, "下午", message_id="svc-1")
    assert again.replayed and again.booking_id == first.booking_id
    with sessions() as session:
        assert session.scalar(select(func.count(ServiceBooking.id))) == 1


def test_nursing_is_not_booked_without_an_assessment(sessions, catalogue) -> None:
    assert book(sessions, catalogue, "nursing", TUESDAY, "上午").problem is Problem.NEEDS_ASSESSMENT


def test_100_concurrent_bookings_never_overbook(sessions, catalogue) -> None:
    """A half-day with 30 places: exactly 30 bookings and 70 refusals."""
    with sessions.begin() as session:
        people = [Resident(name=f"测试{i}", gender="男", birth_date=dt.date(1950, 1, 1)) for i in range(100)]
        session.add_all(people)
        session.flush()
        ids = [person.id for person in people]
    book(sessions, catalogue, "laundry", TUESDAY, "下午", resident_id=1)
    with sessions.begin() as session:
        slot = session.scalar(select(ServiceSlot).where(ServiceSlot.day == TUESDAY, ServiceSlot.half_day == "下午"))
        slot.capacity, slot.booked = 30, 0
        session.execute(ServiceBooking.__table__.delete())
        session.execute(ServiceBookingChange.__table__.delete())
    start = threading.Barrier(100)

    def attempt(resident_id: int):
        start.wait(timeout=30)
        return book(sessions, catalogue, "laundry", TUESDAY, "下午", resident_id=resident_id,
                    message_id=f"laundry-{resident_id}")

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(attempt, ids, timeout=120))
    assert sum(r.ok for r in results) == 30
    assert [r.problem for r in results if not r.ok] == [Problem.FULL] * 70
    with sessions() as session:
        assert session.scalar(select(func.count(ServiceBooking.id))) == 30
        assert session.scalar(select(ServiceSlot.booked).where(ServiceSlot.id == slot.id)) == 30
