"""Meal actions outside the form: writing the confirmed booking, and answering menu questions."""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import runtime
from actions.audit import record
from actions.db.models import Canteen, MealBooking, Resident
from actions.forms.stopped import FormStopped
from actions.guarded import GuardedAction
from actions.lang.dates import parse_date
from actions.lang.meals import parse_meal
from actions.lang.spoken import say_date, say_money
from actions.meals.booking import MealRequest, book
from actions.meals.context import meal_context, who_for
from actions.meals.form import STATE, choice_from
from actions.meals.menu import answer, canteen_named, diet_note, dishes_for, menu_question
from actions.meals.phrases import booking_line, meal_word, problem_sentence, say_clock
from actions.tracker_utils import latest_message_id, set_in_previous_answer
from bot.kernel.contract import button

logger = logging.getLogger(__name__)

LAST_SERVING_HOUR = {"早餐": 9, "午餐": 13, "晚餐": 19}


class ActionBookMeal(GuardedAction):
    """After the form: write the booking only when the read-back was confirmed."""

    def name(self) -> Text:
        return "action_book_meal"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reset: List[EventType] = [SlotSet(slot, None) for slot in STATE]
        stop = tracker.get_slot("meal_stop")
        if stop in ("duplicate", "no_resident"):
            return reset
        if stop or tracker.get_slot("meal_confirmed") is not True:
            dispatcher.utter_message(response="utter_meal_not_booked")
            return reset
        context = meal_context(tracker)
        choice = choice_from({slot: tracker.get_slot(slot) for slot in STATE})
        request = MealRequest(resident_id=context.resident_id, choice=choice, booked_by=context.actor,
                              channel=tracker.get_slot("channel") or "", message_id=latest_message_id(tracker))
        result = book(runtime.sessions(), context.rules, request, context.now)
        with runtime.sessions()() as session:
            canteen = session.get(Canteen, choice.canteen_id)
            if not result.ok:
                dispatcher.utter_message(text=problem_sentence(result.problem, choice, canteen, context.rules,
                                                               context.today) + "您可以说“订餐”重新订。")
                return reset
            booking = session.get(MealBooking, result.booking_id)
            dispatcher.utter_message(text=self._done_sentence(booking, canteen, context))
        if not result.replayed:
            record(actor=context.actor, action="meal_booked", target=f"meal_booking:{booking.id}",
                   detail=json.dumps({"resident": booking.resident_id, "day": booking.day.isoformat(),
                                      "meal": booking.meal_type, "quantity": booking.quantity,
                                      "delivery": booking.delivery}, ensure_ascii=False))
        return reset

    @staticmethod
    def _done_sentence(booking: MealBooking, canteen: Canteen, context: Any) -> str:
        serve = say_clock(context.rules.meals[booking.meal_type].serve)
        when = "送到家" if booking.delivery else "到食堂吃饭"
        pay = "不用付钱" if booking.price_total == 0 else f"一共{say_money(booking.price_total)}，到时候付"
        # To a relative the parent is spoken of in the third person: they are not the one eating.
        who = (booking.resident.name if context.is_family and booking.resident else "您")
        if booking.delivery:
            arrive = f"给{who}{when}"
        else:
            arrive = f"请{'老人' if who != '您' else '您'}{when}"
        return (f"订好了！{canteen.name}，{booking_line(booking, context.today)}。"
                f"{serve}左右{arrive}。{pay}。")


class ActionMealStopped(FormStopped):
    """The meal form ended by a stop: nothing is booked and action_book_meal does not run."""

    state = STATE
    not_booked = "utter_meal_not_booked"

    def name(self) -> Text:
        return "action_meal_stopped"


def _default_meal(now: dt.datetime) -> tuple:
    """The next meal still to be served: (day, meal type)."""
    for meal, last_hour in LAST_SERVING_HOUR.items():
        if now.hour < last_hour:
            return now.date(), meal
    return now.date() + dt.timedelta(days=1), "午餐"


class ActionAnswerMenu(GuardedAction):
    """What is on the menu for a day and meal, answered briefly, with a note on the resident's diet."""

    def name(self) -> Text:
        return "action_answer_menu"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = meal_context(tracker)
        text = tracker.latest_message.get("text") or ""
        mention = parse_date(text, context.today)
        meal = parse_meal(text)
        default_day, default_meal = _default_meal(context.now)
        if tracker.active_loop_name == "meal_booking_form" and tracker.get_slot("meal_date"):
            # "明天中午吃啥" while booking: what is not said is the booking's day and meal.
            default_day = dt.date.fromisoformat(tracker.get_slot("meal_date"))
            default_meal = tracker.get_slot("meal_type") or default_meal
        elif set_in_previous_answer(tracker, "menu_day"):
            default_day = dt.date.fromisoformat(tracker.get_slot("menu_day")[:10])  # "晚上呢" after today's lunch
        day = mention.day if mention else default_day
        meal = meal or (default_meal if not mention or tracker.active_loop_name else "午餐")
        when = say_date(day, context.today)
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id) if context.resident_id else None
            canteen = canteen_named(session, text) or (resident.home_canteen if resident else None) \
                or session.scalars(select(Canteen).order_by(Canteen.id)).first()
            if canteen is None:
                dispatcher.utter_message(response="utter_menu_unknown")
                return []
            if canteen.closed_on(day):
                dispatcher.utter_message(text=f"{when}，{canteen.name}休息，不开门。")
                return []
            items = dishes_for(session, canteen.id, day, meal)
            if not items:
                dispatcher.utter_message(text=f"{canteen.name}{when}的{meal_word(meal)}菜单还没有出来。")
                return []
            sentence = answer(items, menu_question(text), when, meal)
            note = diet_note(resident, items, who_for(context, resident.name if resident else None))
        dispatcher.utter_message(text=sentence + note, buttons=[
            button(f"订这顿{meal_word(meal)}", "book_meal", date=day.isoformat(), meal_type=meal)])
        return [SlotSet("menu_day", f"{day.isoformat()} {meal}")]  # the day and meal just talked about
