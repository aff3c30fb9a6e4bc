"""The meal form's questions, one at a time, with at most three choices as buttons."""
from __future__ import annotations

import datetime as dt
from abc import ABC
from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import runtime
from actions.db.models import Canteen, CanteenMeal, Resident
from actions.forms.asking import AskSlot, day_buttons
from actions.lang.spoken import say_date, say_money
from actions.meals.booking import price_for
from actions.meals.context import meal_context, who_for
from actions.meals.form import choice_from
from actions.meals.phrases import meal_word, read_back
from bot.kernel.contract import button


class _AskMealSlot(AskSlot, ABC):
    offer_slot = "meal_offer"
    resume = "咱们接着订饭。"
    task_words = "订饭"

    def understood(self, tracker: Tracker) -> str:
        """"明天（11月24日，星期二）的午饭，送到家" when the first words said the day, the meal and where to eat
        it, so a long request hears it was understood before the one question left."""
        day, meal, delivery = (tracker.get_slot(name) for name in ("meal_date", "meal_type", "meal_delivery"))
        if not day or not meal or delivery is None:
            return ""
        words = f"{say_date(dt.date.fromisoformat(day), meal_context(tracker).today)}的{meal_word(meal)}"
        return words + ("，送到家" if delivery else "，去食堂吃")


class ActionAskMealDate(_AskMealSlot):
    slot = "meal_date"
    example = "明天"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_meal_date", buttons=day_buttons(meal_context(tracker).today))


class ActionAskMealType(_AskMealSlot):
    slot = "meal_type"
    example = "午饭"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        canteen_id = tracker.get_slot("meal_canteen_id")
        with runtime.sessions()() as session:
            meals = list(session.scalars(select(CanteenMeal.meal_type).where(
                CanteenMeal.canteen_id == int(canteen_id)).order_by(CanteenMeal.id))) if canteen_id else []
        meals = meals or ["早餐", "午餐", "晚餐"]
        words = [meal_word(m) for m in meals]
        question = f"订{'、'.join(words[:-1])}，还是{words[-1]}？" if len(words) > 1 else f"订{words[0]}吗？"
        dispatcher.utter_message(text=question,
                                 buttons=[button(meal_word(m), "inform", meal_type=m) for m in meals[:3]])


class ActionAskMealCanteenId(_AskMealSlot):
    slot = "meal_canteen_id"
    example = "幸福里"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        with runtime.sessions()() as session:
            canteens = list(session.scalars(select(Canteen).order_by(Canteen.id).limit(3)))
            buttons = [button(c.name, "inform", canteen=c.name) for c in canteens]
        dispatcher.utter_message(response="utter_ask_meal_canteen_id", buttons=buttons)


class ActionAskMealQuantity(_AskMealSlot):
    slot = "meal_quantity"
    example = "一份"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_meal_quantity",
                                 buttons=[button("一份", "inform", quantity="1"),
                                          button("两份", "inform", quantity="2")])


class ActionAskMealDelivery(_AskMealSlot):
    slot = "meal_delivery"
    example = "送到家"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        canteen_id = tracker.get_slot("meal_canteen_id")
        with runtime.sessions()() as session:
            canteen = session.get(Canteen, int(canteen_id)) if canteen_id else None
            fee = say_money(canteen.delivery_fee) if canteen else ""
        dispatcher.utter_message(response="utter_ask_meal_delivery", fee=fee,
                                 buttons=[button("去食堂吃", "inform", delivery="堂食"),
                                          button("送到家", "inform", delivery="送餐上门")])


class ActionAskMealConfirmed(_AskMealSlot):
    """The read-back: everything, with the price after subsidy, then "对吗？"."""

    slot = "meal_confirmed"
    example = "对"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        if tracker.get_slot("meal_changing"):
            dispatcher.utter_message(response="utter_meal_what_to_change")
            return
        context = meal_context(tracker)
        slots: Dict[str, Any] = {name: tracker.get_slot(name) for name in
                                 ("meal_canteen_id", "meal_date", "meal_type", "meal_quantity", "meal_delivery")}
        choice = choice_from(slots)
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id)
            canteen = session.get(Canteen, choice.canteen_id)
            price = price_for(session, context.rules, resident, choice)
            text = read_back(choice, canteen, price, context.today, who_for(context, resident.name))
        dispatcher.utter_message(text=text, buttons=[button("对", "affirm"),
                                                     button("不对", "deny")])
