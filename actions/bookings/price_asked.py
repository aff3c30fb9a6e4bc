"""The price of what was just booked, when that is what a question right after the booking asks.

"要花多少钱", "明天好多钱嘛", "他半失能，是不是能便宜点" a turn or two after a booking are about that
booking, not a policy or something the assistant cannot do. The booking row says what was charged and
how much the subsidy took off.
"""
from __future__ import annotations

import re
from typing import List, Optional, Union

from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import runtime
from actions.context import task_context, who_for
from actions.db.models import MealBooking, Resident, ServiceBooking
from actions.lang.spoken import say_count, say_date, say_money
from actions.meals.booking import price_for
from actions.meals.context import meal_context
from actions.meals.form import choice_from
from actions.meals.phrases import meal_word, price_sentence
from bot.kernel.clock import local_today

ASKS_PRICE = re.compile(r"多少钱|好多钱|多钱|几块|几个钱|花多少|花钱|要钱|收钱|收费|贵不贵|价钱|价格|便宜|优惠|减多少|"
                        r"打折|免费|不要钱|咋收|怎么收|给多少")
RECENT_TURNS = 3  # the booking was made in one of the person's last few messages


def _recent_message_ids(tracker: Tracker) -> List[str]:
    ids = [event.get("message_id") for event in tracker.events
           if event.get("event") == "user" and event.get("message_id")]
    return ids[-RECENT_TURNS:]


def booked_just_now(session: Session, tracker: Tracker) -> Optional[Union[MealBooking, ServiceBooking]]:
    """The booking made by one of the last few messages, the newer if a meal and a visit both were."""
    ids = _recent_message_ids(tracker)
    if not ids:
        return None
    meal = session.scalars(select(MealBooking).where(MealBooking.message_id.in_(ids), MealBooking.status == "booked")
                           .order_by(MealBooking.created_at.desc()).limit(1)).first()
    visit = session.scalars(select(ServiceBooking).where(ServiceBooking.message_id.in_(ids),
                                                         ServiceBooking.status != "cancelled")
                            .order_by(ServiceBooking.created_at.desc()).limit(1)).first()
    found = [b for b in (meal, visit) if b is not None]
    return max(found, key=lambda b: b.created_at) if found else None


def price_answer(booking: Union[MealBooking, ServiceBooking], who: str, today) -> str:
    """"刚才约的助浴，原价50元，您有补贴，减10元，只要40元，做完再付。\""""
    if isinstance(booking, MealBooking):
        what = f"刚才订的{say_date(booking.day, today)}的{meal_word(booking.meal_type)}，{say_count(booking.quantity)}"
        fee = f"，送餐费{say_money(booking.delivery_fee)}" if booking.delivery_fee else ""
        pay = "，到时候付"
    else:
        what = f"刚才约的{booking.slot.service_type.name}"
        fee, pay = "", "，做完再付"
    if booking.price_total == 0 and not booking.subsidy:
        return f"{what}，不收费。"
    subsidy = (f"，{who}有补贴，减{say_money(booking.subsidy)}" if booking.subsidy else "")
    total = "不用花钱" if booking.price_total == 0 else f"一共{say_money(booking.price_total)}"
    each = "一份" if isinstance(booking, MealBooking) else ""
    original = f"，原价{each}{say_money(booking.unit_price)}" if booking.subsidy else ""
    return f"{what}{original}{subsidy}{fee}，{total}{pay}。"


def price_of_booking_just_made(tracker: Tracker) -> Optional[str]:
    """The answer to a price question about the booking just made, or None when it asks about something else."""
    text = tracker.latest_message.get("text") or ""
    if not ASKS_PRICE.search(text):
        return None
    context = task_context(tracker)
    if context.resident_id is None:
        return None
    with runtime.sessions()() as session:
        booking = booked_just_now(session, tracker)
        if booking is None or booking.resident_id != context.resident_id:
            return None
        return price_answer(booking, who_for(context, tracker.get_slot("resident_name")),
                            local_today(runtime.settings()))


def price_of_meal_being_booked(tracker: Tracker) -> Optional[str]:
    """"一顿多少钱啊" while the meal form is open and knows the day and the meal: that meal's price for this
    person (the portions said, else one), with the subsidy and the delivery fee; None otherwise."""
    text = tracker.latest_message.get("text") or ""
    if tracker.active_loop_name != "meal_booking_form" or not ASKS_PRICE.search(text):
        return None
    slots = {name: tracker.get_slot(name) for name in
             ("meal_canteen_id", "meal_date", "meal_type", "meal_quantity", "meal_delivery")}
    choice = choice_from(slots)
    context = meal_context(tracker)
    if choice is None or choice.day is None or not choice.meal_type or context.resident_id is None:
        return None
    with runtime.sessions()() as session:
        resident = session.get(Resident, context.resident_id)
        try:
            price = price_for(session, context.rules, resident, choice)
        except ValueError:
            return None  # that canteen does not serve this meal: the form says so itself
        who = who_for(context, resident.name)
    what = f"{say_date(choice.day, local_today(runtime.settings()))}的{meal_word(choice.meal_type)}"
    how = "，送到家" if choice.delivery else ""
    return f"{what}{how}：{price_sentence(price, who)}"
