"""The home-service dialogue with the real actions, catalogue and database."""
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from actions.db.models import OutboxMessage, ServiceBooking
from actions.services.actions import ActionBookService, ActionServiceStopped
from actions.services.asking import (
    ActionAskServiceCode,
    ActionAskServiceConfirmed,
    ActionAskServiceDate,
    ActionAskServiceHalfDay,
)
from actions.services.form import REQUIRED, ValidateServiceBookingForm
from tests.unit.actions.form_driver import HOME_SLOTS, FormDriver, said
from tests.unit.actions.services.conftest import TUESDAY, book

pytestmark = pytest.mark.both_databases

WEDNESDAY = TUESDAY + dt.timedelta(days=1)


@pytest.fixture()
def service_form(domain):
    def make(slots=None):
        askers = {"service_code": ActionAskServiceCode(), "service_date": ActionAskServiceDate(),
                  "service_half_day": ActionAskServiceHalfDay(), "service_confirmed": ActionAskServiceConfirmed()}
        return FormDriver("service_booking_form", ValidateServiceBookingForm(), askers, ActionBookService(),
                          REQUIRED, domain, slots, stopped=ActionServiceStopped())
    return make


def bookings(sessions):
    with sessions() as session:
        return list(session.scalars(select(ServiceBooking).options(selectinload(ServiceBooking.slot))
                                    .order_by(ServiceBooking.id)))


async def test_everything_at_once_with_a_special_request(sessions, service_form) -> None:
    form = service_form()
    reply = said(await form.say("后天上午来帮我洗个澡，要女护工", "book_service"))
    # 张桂英 is 85: ten yuan off a 50-yuan bath.
    assert reply == ("我念一下：约助浴，后天（11月25日，星期三）上午，要女护工。大约一个小时。"
                     "80岁及以上减10元，您有补贴，只要40元。对吗？")
    assert bookings(sessions) == []
    reply = said(await form.say("对", "affirm", message_id="s1"))
    assert reply == "约好了！助浴，后天（11月25日，星期三）上午，工作人员确认以后会告诉您。40元，做完再付。"
    [booking] = bookings(sessions)
    assert (booking.slot.day, booking.slot.half_day, booking.note, booking.status, booking.booked_by) == \
        (WEDNESDAY, "上午", "要女护工", "requested", "resident:1")


async def test_one_question_at_a_time_and_a_time_of_day(sessions, service_form) -> None:
    form = service_form()
    assert said(await form.say("我要约上门服务", "book_service")) == "utter_ask_service_code"
    assert said(await form.say("搞卫生", "inform")) == "好的，约助洁。哪天来？"  # says what it understood
    assert said(await form.say("明天", "inform")) == "utter_ask_service_half_day"
    reply = said(await form.say("下午三点", "inform"))
    assert reply.startswith("我念一下：约助洁，明天（11月24日，星期二）下午3点。大约两个小时。一次40元。")
    reply = said(await form.say("对", "affirm"))
    assert reply == "约好了！助洁，明天（11月24日，星期二）下午3点，李阿姨会上门。40元，做完再付。"
    assert bookings(sessions)[0].time_note == "下午3点"


async def test_a_correction_at_the_read_back(sessions, service_form) -> None:
    form = service_form()
    await form.say("明天上午找人来修水管，带上梯子", "book_service")
    reply = said(await form.say("不对，是后天下午", "deny"))
    assert reply.startswith("我念一下：约维修，后天（11月25日，星期三）下午，带上梯子。")
    await form.say("对", "affirm")
    [booking] = bookings(sessions)
    assert (booking.slot.day, booking.slot.half_day, booking.note) == (WEDNESDAY, "下午", "带上梯子")


async def test_a_full_slot_offers_the_two_nearest_free_ones(sessions, service_form) -> None:
    book(sessions, _catalogue(), "bathing", TUESDAY, "下午", resident_id=2)
    book(sessions, _catalogue(), "bathing", TUESDAY, "下午", resident_id=3)
    form = service_form()
    reply = said(await form.say("明天下午来洗澡", "book_service"))
    assert reply == ("明天（11月24日，星期二）下午的助浴已经约满了。 | 最近有空的是明天（11月24日，星期二）上午，"
                     "还有后天（11月25日，星期三）上午。要明天（11月24日，星期二）上午吗？")
    reply = said(await form.say("好", "affirm"))
    assert reply.startswith("我念一下：约助浴，明天（11月24日，星期二）上午。")


async def test_nursing_needs_an_assessment_and_a_disabled_resident_hears_of_subsidies(sessions, service_form) -> None:
    form = service_form({**HOME_SLOTS, "resident_id": "4", "resident_name": "刘德明"})
    reply = said(await form.say("想请护士上门换药", "book_service"))
    assert "上门护理要先做一次能力评估" in reply and "010-6688-1234" in reply
    assert "您是失能老人，还可以申请长期护理保险" in reply
    assert form.done and bookings(sessions) == []


async def test_a_family_member_books_for_their_parent(sessions, service_form) -> None:
    slots = {**HOME_SLOTS, "channel": "telegram", "actor_role": "family", "family_member_id": "1"}
    form = service_form(slots)
    reply = said(await form.say("给我妈约后天上午打扫卫生", "book_service"))
    assert reply.startswith("我念一下：给张桂英约助洁，后天（11月25日，星期三）上午。")
    await form.say("对", "affirm")
    [booking] = bookings(sessions)
    assert (booking.booked_by, booking.channel, booking.helper_name) == ("family:1", "telegram", "李阿姨")
    with sessions() as session:
        told = [(o.recipient, o.text) for o in session.scalars(select(OutboxMessage))]
    assert told == [("resident:1", "您的助洁已经确认：11月25日上午，李阿姨上门。")]


async def test_stop_at_any_question(sessions, service_form) -> None:
    form = service_form()
    await form.say("约个理发", "book_service")
    assert said(await form.say("算了不约了", "deny")) == "utter_service_not_booked"
    assert form.done and bookings(sessions) == []


def _catalogue():
    from actions.services.catalogue import load_catalogue
    from bot.kernel.settings import PROJECT_ROOT

    return load_catalogue(PROJECT_ROOT / "data" / "services.yml")


async def test_a_yes_said_with_the_service_again_confirms(sessions, service_form) -> None:
    """"对，就是洗澡" at the read-back: a yes, not "我没听明白"."""
    form = service_form()
    await form.say("后天上午约个助浴", "book_service")
    await form.say("对，就是洗澡", "inform", entities=[{"entity": "service_type", "value": "助浴"}])
    assert len(bookings(sessions)) == 1


async def test_words_that_open_with_a_stop_end_the_form_whatever_the_classifier_read(sessions, service_form) -> None:
    """"不要了，我闺女说她下班给我带" read as ask_family_call: still a stop, never a note on the booking."""
    form = service_form()
    await form.say("帮我买点菜送过来，明天上午", "book_service")
    assert said(await form.say("不要了，我闺女说她下班给我带", "ask_family_call")) == "utter_service_not_booked"
    assert form.done and bookings(sessions) == []


async def test_the_wrong_value_named_then_the_right_one_with_a_reason(sessions, service_form) -> None:
    """"不是上午，下午，上午我要去打针": the afternoon, still laundry (打针 in the reason is not nursing)."""
    form = service_form()
    await form.say("被罩床单该洗了，后天上午来个人收一下", "book_service")
    reply = said(await form.say("不是上午，下午，上午我要去打针", "book_service"))
    assert reply.startswith("我念一下：约洗衣，后天（11月25日，星期三）下午。")
    await form.say("对", "affirm")
    [booking] = bookings(sessions)
    assert (booking.slot.day, booking.slot.half_day) == (WEDNESDAY, "下午")
