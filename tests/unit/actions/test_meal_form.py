"""The meal-booking dialogue with the real actions and database: everything said at once,
one question at a time, read-back with the price, corrections, refusals with alternatives."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from actions.db.models import AuditLog, MealBooking
from actions.meals.actions import ActionBookMeal, ActionMealStopped
from actions.meals.asking import (
    ActionAskMealCanteenId,
    ActionAskMealConfirmed,
    ActionAskMealDate,
    ActionAskMealDelivery,
    ActionAskMealQuantity,
    ActionAskMealType,
)
from actions.meals.form import REQUIRED, ValidateMealBookingForm
from tests.conftest import TODAY
from tests.unit.actions.form_driver import HOME_SLOTS, FormDriver, said
from tests.unit.actions.meals.conftest import HOME, fill

pytestmark = pytest.mark.both_databases

TOMORROW = TODAY + dt.timedelta(days=1)
AFTER = TODAY + dt.timedelta(days=2)


@pytest.fixture()
def meal_form(domain):
    return lambda slots=None: _meal_form(domain, slots)


def _meal_form(domain, slots=None) -> FormDriver:
    askers = {"meal_date": ActionAskMealDate(), "meal_type": ActionAskMealType(),
              "meal_canteen_id": ActionAskMealCanteenId(), "meal_quantity": ActionAskMealQuantity(),
              "meal_delivery": ActionAskMealDelivery(), "meal_confirmed": ActionAskMealConfirmed()}
    return FormDriver("meal_booking_form", ValidateMealBookingForm(), askers, ActionBookMeal(), REQUIRED, domain, slots,
                      stopped=ActionMealStopped())


def bookings(sessions):
    with sessions() as session:
        return list(session.scalars(select(MealBooking).order_by(MealBooking.id)))


async def test_everything_said_at_once_goes_straight_to_the_read_back(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("帮我订后天两份晚饭送到家", "book_meal", message_id="m1"))
    # 张桂英 is 85: her portion is free, the other 12 yuan, delivery 3 yuan.
    assert reply == ("我念一下：订幸福里幸福食堂后天（11月25日，星期三）的晚饭，两份，送到家。"
                     "您这份免费，另外一份每份12元，送餐费3元，一共15元。对吗？")
    assert bookings(sessions) == []
    reply = said(await form.say("对", "affirm", message_id="m2"))
    assert reply.startswith("订好了！幸福里幸福食堂，后天（11月25日，星期三）的晚饭，两份，送到家。")
    assert "一共15元" in reply
    [booking] = bookings(sessions)
    assert (booking.day, booking.meal_type, booking.quantity, booking.delivery, booking.price_total,
            booking.booked_by, booking.message_id) == (AFTER, "晚餐", 2, True, 15.0, "resident:1", "m2")
    assert all(form.slots.get(slot) is None for slot in REQUIRED)
    with sessions() as session:
        assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "meal_booked")) == 1


async def test_one_question_at_a_time(sessions, meal_form) -> None:
    form = meal_form()
    assert said(await form.say("我要订饭", "book_meal")) == "utter_ask_meal_date"
    assert said(await form.say("明天", "inform")) == "订早饭、午饭，还是晚饭？"
    assert said(await form.say("中午的", "inform")) == "utter_ask_meal_quantity"
    assert said(await form.say("两", "nlu_fallback")) == "utter_ask_meal_delivery"
    reply = said(await form.say("我自己去食堂吃", "inform"))
    assert reply.startswith("我念一下：订幸福里幸福食堂明天（11月24日，星期二）的午饭，两份，去食堂吃。")
    await form.say("好的", "affirm")
    [booking] = bookings(sessions)
    assert (booking.day, booking.meal_type, booking.quantity, booking.delivery) == (TOMORROW, "午餐", 2, False)


async def test_a_correction_at_the_read_back_keeps_the_rest(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("帮我订明天一份午饭送到家", "book_meal")
    reply = said(await form.say("不对，是后天", "deny"))
    assert reply.startswith("我念一下：订幸福里幸福食堂后天（11月25日，星期三）的午饭，一份，送到家。")
    reply = said(await form.say("改成两份", "inform"))
    assert "两份" in reply and "后天" in reply
    await form.say("对", "affirm")
    [booking] = bookings(sessions)
    assert (booking.day, booking.quantity, booking.delivery) == (AFTER, 2, True)


async def test_no_at_the_read_back_asks_what_to_change_and_books_nothing(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("订明天一份午饭去食堂吃", "book_meal")
    assert said(await form.say("不对", "deny")) == "utter_meal_what_to_change"
    assert said(await form.say("算了", "deny")) == "utter_meal_not_booked"
    assert form.done and bookings(sessions) == []


async def test_full_canteen_offers_the_other_canteen_and_yes_takes_it(sessions, meal_form) -> None:
    fill(sessions, HOME, TOMORROW, "午餐")
    form = meal_form()
    reply = said(await form.say("订明天的午饭，一份，去食堂吃", "book_meal"))
    assert reply == ("幸福里幸福食堂明天（11月24日，星期二）的午饭已经订满了。 | "
                     "康乐苑明天（11月24日，星期二）的午饭还可以订，要订这个吗？")
    reply = said(await form.say("好", "affirm"))
    assert reply.startswith("我念一下：订康乐苑助餐点明天（11月24日，星期二）的午饭，一份，去食堂吃。")
    await form.say("对", "affirm")
    [booking] = bookings(sessions)
    assert booking.canteen_id == 2


async def test_past_date_is_explained_and_today_offered(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("订昨天的午饭", "book_meal"))
    assert reply.startswith("昨天已经过去了，订不了。") or reply.startswith("11月22日")
    assert "今天（11月23日，星期一）的午饭还可以订" in reply


async def test_cutoff_is_explained_with_the_next_meal(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("今天早饭订一份", "book_meal"))
    assert "已经过了预订时间，要在前一天晚上8点前订" in reply
    assert "今天（11月23日，星期一）的午饭还可以订" in reply


async def test_too_many_people_asks_again(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("明天午饭订十份", "book_meal"))
    assert reply == "一次最多订四份。 | utter_ask_meal_quantity"


async def test_stop_words_end_the_form_at_any_question(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("我要订饭", "book_meal")
    assert said(await form.say("不订了", "deny")) == "utter_meal_not_booked"
    assert form.done and bookings(sessions) == []


async def test_a_second_booking_of_the_same_meal_is_explained(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("明天午饭一份去食堂吃", "book_meal")
    await form.say("对", "affirm")
    again = meal_form()
    reply = said(await again.say("明天午饭再订一份", "book_meal"))
    assert "您已经订过明天（11月24日，星期二）的午饭了" in reply and again.done
    assert len(bookings(sessions)) == 1


async def test_interruptions_are_left_to_the_rules(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("我要订饭", "book_meal")
    assert await form.say("救命 我摔倒了 两次", "emergency") == [{"rejected": True}]
    assert await form.say("说慢点", "speak_slower") == [{"rejected": True}]


async def test_a_family_member_books_for_their_parent(sessions, meal_form) -> None:
    slots = {**HOME_SLOTS, "channel": "telegram", "actor_role": "family", "family_member_id": "1"}
    form = meal_form(slots)
    reply = said(await form.say("给我妈订明天一份午饭送到家", "book_meal"))
    assert reply.startswith("我念一下：给张桂英订幸福里幸福食堂明天") and "张桂英这份免费" in reply
    await form.say("对", "affirm")
    [booking] = bookings(sessions)
    assert (booking.resident_id, booking.booked_by, booking.channel) == (1, "family:1", "telegram")


async def test_a_younger_resident_pays_the_reduced_price(sessions, meal_form) -> None:
    slots = {**HOME_SLOTS, "resident_id": "5", "resident_name": "陈淑珍"}  # 70 years old
    form = meal_form(slots)
    reply = said(await form.say("明天午饭一份去食堂吃", "book_meal"))
    assert "您这份有补贴，10元，一共10元。" in reply


@pytest.mark.parametrize("text,intent", [("明天的午饭", "book_meal")])
async def test_a_resident_without_a_home_canteen_is_asked_which(sessions, meal_form, text, intent) -> None:
    from actions.db.models import Resident

    with sessions.begin() as session:
        session.get(Resident, 1).home_canteen_id = None
    form = meal_form()
    assert said(await form.say(text, intent)) == "utter_ask_meal_canteen_id"
    reply = said(await form.say("康乐苑", "inform"))
    assert reply == "utter_ask_meal_quantity"


async def test_yes_words_to_how_many_mean_one_portion(sessions, meal_form) -> None:
    form = meal_form()
    assert said(await form.say("帮我订明天的午饭", "book_meal")) == "utter_ask_meal_quantity"
    assert said(await form.say("中", "affirm")) == "utter_ask_meal_delivery"
    assert form.slots["meal_quantity"] == 1.0


async def test_a_change_of_meal_inside_the_form_is_said_back(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("我想订明天的午饭", "book_meal")
    reply = said(await form.say("晚上那顿吧", "inform"))
    assert reply == "好的，改成晚饭。 | utter_ask_meal_quantity"
    assert form.slots["meal_type"] == "晚餐" and form.slots["meal_date"] == TOMORROW.isoformat()


async def test_after_a_cutoff_a_new_meal_keeps_the_day(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("今天早饭订一份", "book_meal"))
    assert "已经过了预订时间" in reply
    reply = said(await form.say("那订晚饭行不", "book_meal"))
    assert form.slots["meal_date"] == TODAY.isoformat() and form.slots["meal_type"] == "晚餐", reply


async def test_the_same_question_three_times_gives_an_example_then_a_person(sessions, meal_form) -> None:
    form = meal_form()
    await form.say("帮我订明天的午饭一份", "book_meal")
    second = said(await form.say("嗯那个啥", "inform"))
    third = said(await form.say("哎呀", "inform"))
    fourth = said(await form.say("唔", "inform"))
    assert "比如" not in second and "比如“送到家”" in third
    assert "找工作人员" in fourth


async def test_can_i_still_book_is_answered_before_the_first_question(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("今天中午的饭还能订不", "book_meal"))
    assert reply == "能订。 | utter_ask_meal_quantity"


async def test_what_was_asked_before_identification_still_counts(sessions, meal_form) -> None:
    """"我想订明天的午饭", then the name and digits, then "对": the booking goes on from tomorrow's lunch."""
    import json

    kept = json.dumps({"text": "我想订明天的午饭", "entities": [
        {"entity": "date", "value": "明天"}, {"entity": "meal_type", "value": "午餐"}]}, ensure_ascii=False)
    form = meal_form({**HOME_SLOTS, "pending_request": kept})
    reply = said(await form.say("对", "affirm"))
    assert "utter_ask_meal_date" not in reply and "哪一天" not in reply
    assert form.slots.get("meal_type") == "午餐" and form.slots.get("pending_request") is None


async def test_a_long_request_hears_what_was_understood_before_the_one_question_left(sessions, meal_form) -> None:
    form = meal_form()
    reply = said(await form.say("下雨天我出不了门，明天的午饭能给送上门不", "book_meal"))
    assert reply == "好的，明天（11月24日，星期二）的午饭，送到家。 | utter_ask_meal_quantity"
    assert said(await form.say("就一份", "inform")).startswith("我念一下：")
