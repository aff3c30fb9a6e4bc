"""The life of a visit: confirmed, changed, done or cancelled; invalid steps refused; all recorded and told."""
import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import OutboxMessage, ServiceBooking, ServiceSlot
from actions.services.booking import ServiceRequest, book_service
from actions.services.lifecycle import TransitionRefused, change_status, move
from actions.services.slots import ServiceChoice
from tests.conftest import NOW
from tests.unit.actions.services.conftest import TUESDAY, book

pytestmark = pytest.mark.both_databases


def _state(sessions, booking_id):
    with sessions() as session:
        booking = session.get(ServiceBooking, booking_id)
        return (booking.status, booking.helper_name,
                [(c.from_status, c.to_status, c.actor, c.reason) for c in booking.changes])


def _notices(sessions, kind):
    with sessions() as session:
        return [(o.recipient, o.text) for o in session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))]


def test_confirm_change_helper_and_done(sessions, catalogue) -> None:
    booking = book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=1).booking_id
    assert change_status(sessions, catalogue, booking, "confirmed", "staff:1", helper="赵护工") == "requested"
    assert _notices(sessions, "service_confirmed") == [
        ("resident:1", "您的助浴已经确认：11月24日上午，赵护工上门。"),
        ("family:1", "张桂英的助浴已经确认：11月24日上午，赵护工上门。")]
    change_status(sessions, catalogue, booking, "confirmed", "staff:1", helper="钱护工")
    assert ("family:1", "张桂英的助浴有变动：现在是11月24日上午，钱护工上门。") in _notices(sessions, "service_changed")
    change_status(sessions, catalogue, booking, "done", "staff:1")
    status, helper, changes = _state(sessions, booking)
    assert (status, helper) == ("done", "钱护工")
    assert [c[:3] for c in changes] == [(None, "requested", "resident:1"), ("requested", "confirmed", "staff:1"),
                                        ("confirmed", "confirmed", "staff:1"), ("confirmed", "done", "staff:1")]
    assert _notices(sessions, "service_done")[0] == ("resident:1", "您的助浴（11月24日上午）已经做完了。")


@pytest.mark.parametrize("steps,refused", [
    ([("done", {})], "requested cannot become done"),
    ([("cancelled", {"reason": "不需要了"}), ("confirmed", {"helper": "赵"})], "cancelled cannot become confirmed"),
    ([("confirmed", {"helper": "赵"}), ("done", {}), ("cancelled", {"reason": "x"})], "done cannot become cancelled"),
    ([("confirmed", {})], "needs a helper"),
    ([("cancelled", {})], "needs a reason"),
    ([("lost", {})], "unknown state"),
])
def test_invalid_steps_are_refused(sessions, catalogue, steps, refused) -> None:
    booking = book(sessions, catalogue, "bathing", TUESDAY, "上午").booking_id
    *allowed, (last, kwargs) = steps
    for to, extra in allowed:
        change_status(sessions, catalogue, booking, to, "staff:1", **extra)
    before = _state(sessions, booking)
    with pytest.raises(TransitionRefused, match=refused):
        change_status(sessions, catalogue, booking, last, "staff:1", **kwargs)
    assert _state(sessions, booking) == before


def test_cancel_by_staff_gives_the_place_back_and_tells_why(sessions, catalogue) -> None:
    booking = book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=2).booking_id
    change_status(sessions, catalogue, booking, "cancelled", "staff:1", reason="护工生病了")
    with sessions() as session:
        assert session.scalar(select(ServiceSlot.booked)) == 0
    assert _state(sessions, booking)[2][-1] == ("requested", "cancelled", "staff:1", "护工生病了")
    assert ("resident:2", "您的助浴（11月24日上午）取消了。原因：护工生病了。") in _notices(sessions, "service_cancelled")


def test_move_takes_the_new_place_and_frees_the_old(sessions, catalogue) -> None:
    booking = book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=2).booking_id
    wednesday = TUESDAY + dt.timedelta(days=1)
    move(sessions, catalogue, booking, wednesday, "下午", "staff:1", reason="护工调班")
    with sessions() as session:
        slots = {(s.day, s.half_day): s.booked for s in session.scalars(select(ServiceSlot))}
        assert session.get(ServiceBooking, booking).slot.day == wednesday
    assert slots == {(TUESDAY, "上午"): 0, (wednesday, "下午"): 1}
    assert ("resident:2", "您的助浴有变动：现在是11月25日下午，工作人员上门。") in _notices(sessions, "service_changed")


def test_a_visit_with_a_time_is_told_with_that_time(sessions, catalogue) -> None:
    request = ServiceRequest(2, ServiceChoice("repair", TUESDAY, "上午"), "resident:2", time_note="上午10点")
    booking = book_service(sessions, catalogue, request, NOW).booking_id
    change_status(sessions, catalogue, booking, "confirmed", "staff:1", helper="孙师傅")
    assert ("resident:2", "您的维修已经确认：11月24日上午10点，孙师傅上门。") in _notices(sessions, "service_confirmed")
