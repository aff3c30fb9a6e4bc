"""What family members are told: meals booked or cancelled, and emergencies, through the outbox."""

import pytest
from sqlalchemy import select

from actions.alerts import ActionEmergency, family_alert_text
from actions.db.models import OutboxMessage
from actions.meals.booking import book, cancel
from actions.outbox import Notice
from bot.telegram.receiver import markup_for
from tests.conftest import NOW, make_tracker, user_event
from tests.unit.actions.meals.conftest import rules  # noqa: F401  (fixture)
from tests.unit.actions.meals.test_booking import request

pytestmark = pytest.mark.both_databases


def _notices(sessions, kind=None):
    with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return {row.recipient: row.text for row in session.scalars(query)}


def test_a_meal_the_resident_books_is_told_to_the_family(sessions, rules) -> None:  # noqa: F811
    assert book(sessions, rules, request(booked_by="resident:1", quantity=2, delivery=True), NOW).ok
    told = _notices(sessions, "meal_booked")
    assert set(told) == {"family:1"}
    assert told["family:1"] == "张桂英11月24日午饭订好了：两份，送到家，幸福里幸福食堂。"


def test_a_meal_the_family_books_is_told_to_the_resident_with_who_did_it(sessions, rules) -> None:  # noqa: F811
    assert book(sessions, rules, request(booked_by="family:1"), NOW).ok
    told = _notices(sessions, "meal_booked")
    assert set(told) == {"resident:1"}
    assert told["resident:1"].startswith("您11月24日午饭订好了") and "是家人张丽办的" in told["resident:1"]


def test_a_cancellation_by_staff_is_told_to_both(sessions, rules) -> None:  # noqa: F811
    booked = book(sessions, rules, request(booked_by="resident:1"), NOW)
    assert cancel(sessions, rules, booked.booking_id, "staff:1", NOW).ok
    told = _notices(sessions, "meal_cancelled")
    assert set(told) == {"resident:1", "family:1"}
    assert "是社区工作人员办的" in told["family:1"]


async def test_an_emergency_queues_a_notice_for_each_linked_family_member(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("我 摔 倒 了", "emergency")],
                           slots={"resident_id": "1", "identified": True, "channel": "kiosk", "actor_role": "resident",
                                  "location": "幸福里社区服务中心"})
    await ActionEmergency().run(dispatcher, tracker, domain)
    told = _notices(sessions, "emergency")
    assert set(told) == {"family:1"}
    assert told["family:1"] == family_alert_text("张桂英", "幸福里社区服务中心", "我 摔 倒 了", NOW)
    assert "8:00" in told["family:1"] and "张桂英" in told["family:1"]
    with sessions() as session:
        key = session.scalar(select(OutboxMessage.key).where(OutboxMessage.kind == "emergency"))
    markup = markup_for(Notice(key=key, recipient="family:1", kind="emergency", text=told["family:1"]))
    data = [row[0].callback_data for row in markup.inline_keyboard]
    assert data[0].endswith(":on_my_way") and data[1].endswith(":send_staff")


async def test_the_relative_who_raises_the_alert_is_not_told_of_it(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("我妈摔倒了", "emergency")],
                           slots={"resident_id": "1", "identified": True, "channel": "telegram",
                                  "actor_role": "family", "family_member_id": "1"})
    await ActionEmergency().run(dispatcher, tracker, domain)
    assert _notices(sessions, "emergency") == {}
    assert [m["response"] for m in dispatcher.messages] == ["utter_advice_fall", "utter_alert_told_staff"]


def test_other_notices_have_no_keyboard() -> None:
    assert markup_for(Notice("service:1:done:1:family:1", "family:1", "service_done", "做完了")) is None
