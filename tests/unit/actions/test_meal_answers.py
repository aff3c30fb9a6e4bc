"""Menu answers, checking bookings and cancelling by description, with the real database."""
import datetime as dt

import pytest
from sqlalchemy import select

from actions.bookings.cancel import (
    ActionAskCancelConfirmed,
    ActionAskCancelRef,
    ActionCancelBooking,
    ActionCancelStopped,
    ValidateCancelBookingForm,
)
from actions.bookings.check import ActionCheckBookings
from actions.db.models import MealBooking, MenuItem, ServiceBooking
from actions.meals.actions import ActionAnswerMenu
from actions.meals.availability import MealChoice
from actions.meals.booking import MealRequest, book
from actions.meals.rules import load_rules
from actions.services.catalogue import load_catalogue
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import NOW, TODAY, make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS, FormDriver, said
from tests.unit.actions.services.conftest import book as book_service

pytestmark = pytest.mark.both_databases

TOMORROW = TODAY + dt.timedelta(days=1)
AFTER = TODAY + dt.timedelta(days=2)


def _book(sessions, day, meal, quantity=1, delivery=False, resident_id=1):
    rules = load_rules(PROJECT_ROOT / "data" / "meals.yml")
    result = book(sessions, rules, MealRequest(resident_id, MealChoice(1, day, meal, quantity, delivery),
                                               f"resident:{resident_id}"), NOW)
    assert result.ok
    return result.booking_id


async def _run(action, text, intent, dispatcher, domain, slots=None):
    tracker = make_tracker([user_event(text, intent)], slots=dict(slots or HOME_SLOTS))
    await action.run(dispatcher, tracker, domain)
    return said(dispatcher.messages)


def _lunch_tomorrow(sessions):
    with sessions() as session:
        return [item.dish for item in session.scalars(select(MenuItem).where(
            MenuItem.canteen_id == 1, MenuItem.day == TOMORROW, MenuItem.meal_type == "午餐").order_by(MenuItem.id))]


async def test_menu_lists_the_dishes_and_a_diet_note(sessions, dispatcher, domain) -> None:
    dishes = _lunch_tomorrow(sessions)
    reply = await _run(ActionAnswerMenu(), "明天中午吃什么", "ask_menu", dispatcher, domain)
    assert reply.startswith(f"明天（11月24日，星期二）午饭有：{'、'.join(dishes)}。")
    # 张桂英 eats low-salt: the dishes without 低盐 are named.
    assert "您要注意低盐" in reply
    assert dispatcher.messages[0]["buttons"][0]["payload"].startswith('/book_meal{"date": "2026-11-24"')


async def test_menu_answers_is_there_fish(sessions, dispatcher, domain) -> None:
    reply = await _run(ActionAnswerMenu(), "后天中午有鱼吗", "ask_menu", dispatcher, domain)
    with sessions() as session:
        fish = [i.dish for i in session.scalars(select(MenuItem).where(
            MenuItem.canteen_id == 1, MenuItem.day == AFTER, MenuItem.meal_type == "午餐")) if "鱼" in i.dish or "鲈" in i.dish]
    assert reply.startswith(f"有。后天（11月25日，星期三）午饭有{fish[0]}") if fish else "没有鱼" in reply


async def test_menu_answers_soft_dishes(sessions, dispatcher, domain) -> None:
    reply = await _run(ActionAnswerMenu(), "明天午饭有没有软一点的菜", "ask_menu", dispatcher, domain)
    assert reply.startswith("明天（11月24日，星期二）午饭软烂的菜有：西红柿炒鸡蛋、红烧豆腐、土豆炖牛肉。")


async def test_menu_on_a_closed_day(sessions, dispatcher, domain) -> None:
    reply = await _run(ActionAnswerMenu(), "康乐苑周日吃什么", "ask_menu", dispatcher, domain)
    assert reply == "11月29日，星期日，康乐苑助餐点休息，不开门。"


async def test_check_lists_upcoming_bookings(sessions, dispatcher, domain) -> None:
    _book(sessions, TOMORROW, "午餐", 2, True)
    _book(sessions, AFTER, "晚餐")
    reply = await _run(ActionCheckBookings(), "我订了什么", "check_bookings", dispatcher, domain)
    assert reply == ("您一共有2个预订：明天（11月24日，星期二）的午饭，两份，送到家；"
                     "后天（11月25日，星期三）的晚饭，一份，去食堂吃。")


async def test_check_with_nothing_booked(sessions, dispatcher, domain) -> None:
    assert "现在没有订餐" in await _run(ActionCheckBookings(), "我订了啥", "check_bookings", dispatcher, domain)


@pytest.fixture()
def cancel_form(domain):
    def make(slots=None):
        askers = {"cancel_ref": ActionAskCancelRef(), "cancel_confirmed": ActionAskCancelConfirmed()}
        return FormDriver("cancel_booking_form", ValidateCancelBookingForm(), askers, ActionCancelBooking(),
                          ("cancel_ref", "cancel_confirmed"), domain, slots, stopped=ActionCancelStopped())
    return make


def _status(sessions, booking_id):
    with sessions() as session:
        return session.get(MealBooking, booking_id).status


async def test_cancel_by_description(sessions, cancel_form) -> None:
    lunch = _book(sessions, TOMORROW, "午餐")
    dinner = _book(sessions, TOMORROW, "晚餐")
    form = cancel_form()
    assert said(await form.say("明天的午饭不要了", "cancel_booking")) == "要取消明天（11月24日，星期二）的午饭，一份，去食堂吃，对吗？"
    assert said(await form.say("对", "affirm")) == "好的，明天（11月24日，星期二）的午饭，一份，去食堂吃已经取消了。"
    assert (_status(sessions, lunch), _status(sessions, dinner)) == ("cancelled", "booked")


async def test_cancel_with_several_matches_offers_three(sessions, cancel_form) -> None:
    ids = [_book(sessions, TOMORROW, "午餐"), _book(sessions, TOMORROW, "晚餐"), _book(sessions, AFTER, "午餐"),
           _book(sessions, AFTER, "晚餐")]
    form = cancel_form()
    messages = await form.say("把我订的饭取消掉", "cancel_booking")
    assert said(messages).startswith("有3个预订：第一个，明天（11月24日，星期二）的午饭")
    assert len(messages[0]["buttons"]) == 3
    assert said(await form.say("第二个", "inform")).startswith("要取消明天（11月24日，星期二）的晚饭")
    await form.say("对", "affirm")
    assert [_status(sessions, i) for i in ids] == ["booked", "cancelled", "booked", "booked"]


async def test_cancel_after_the_cutoff_is_refused_with_the_phone(sessions, cancel_form, monkeypatch) -> None:
    from actions import runtime

    booking = _book(sessions, TODAY, "午餐")
    monkeypatch.setenv("XIAONUAN_NOW", "2026-11-23T10:00")
    runtime.reset()
    form = cancel_form()
    reply = said(await form.say("今天的午饭不要了", "cancel_booking"))
    assert "已经过了取消时间" in reply and "010-6688-2001" in reply and form.done
    assert _status(sessions, booking) == "booked"


@pytest.mark.parametrize("text,intent", [("不取消了", "deny"), ("不取消了", "cancel_booking"),
                                         ("算了，还要", "cancel_booking"), ("别退", "inform")])
async def test_cancel_changed_mind(sessions, cancel_form, text, intent) -> None:
    booking = _book(sessions, TOMORROW, "午餐")
    form = cancel_form()
    await form.say("取消明天午饭", "cancel_booking")
    assert said(await form.say(text, intent)) == "好的，不取消，预订还在。"
    assert _status(sessions, booking) == "booked"


async def test_cancel_when_nothing_matches_lists_what_there_is(sessions, cancel_form) -> None:
    _book(sessions, AFTER, "晚餐")
    form = cancel_form()
    reply = said(await form.say("明天的早饭不要了", "cancel_booking"))
    assert reply.startswith("没找到这个预订。您订的有：后天（11月25日，星期三）的晚饭")
    assert "要取消后天" in reply


async def test_check_and_cancel_cover_services_in_one_answer(sessions, dispatcher, domain, cancel_form) -> None:
    _book(sessions, TOMORROW, "午餐")
    visit = book_service(sessions, load_catalogue(PROJECT_ROOT / "data" / "services.yml"), "bathing", AFTER,
                         "上午").booking_id
    reply = await _run(ActionCheckBookings(), "我订了什么", "check_bookings", dispatcher, domain)
    assert reply == ("您一共有2个预订：明天（11月24日，星期二）的午饭，一份，去食堂吃；"
                     "后天（11月25日，星期三）上午的助浴，等确认。")
    form = cancel_form()
    assert said(await form.say("洗澡那个不约了", "cancel_booking")) == \
        "要取消后天（11月25日，星期三）上午的助浴，等确认，对吗？"
    assert said(await form.say("对", "affirm")) == "好的，后天（11月25日，星期三）上午的助浴，等确认已经取消了。"
    with sessions() as session:
        booking = session.get(ServiceBooking, visit)
        assert booking.status == "cancelled"
        assert [(c.to_status, c.actor, c.reason) for c in booking.changes][-1] == ("cancelled", "resident:1", "本人取消")
