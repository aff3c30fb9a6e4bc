"""Hearing what is booked: upcoming bookings, briefly, optionally for one day or meal."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.bookings.listing import matching, spoken_list, upcoming
from actions.lang.dates import parse_date
from actions.lang.meals import parse_meal
from actions.lang.spoken import say_date
from actions.meals.context import meal_context, who_for
from actions.meals.phrases import meal_word


class ActionCheckBookings(Action):
    def name(self) -> Text:
        return "action_check_bookings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = meal_context(tracker)
        if context.resident_id is None:
            dispatcher.utter_message(response="utter_need_resident")
            return []
        text = tracker.latest_message.get("text") or ""
        mention = parse_date(text, context.today)
        meal = parse_meal(text)
        who = who_for(context, tracker.get_slot("resident_name"))
        with runtime.sessions()() as session:
            items = upcoming(session, context.resident_id, context.today, context.rules)
        if not items:
            dispatcher.utter_message(text=f"{who}现在没有订餐，也没有预约。",
                                     buttons=[{"title": "订餐", "payload": "/book_meal"}])
            return []
        wanted = matching(items, mention.day if mention else None, meal)
        if (mention or meal) and not wanted:
            asked = (say_date(mention.day, context.today) if mention else "") + meal_word(meal)
            dispatcher.utter_message(text=f"{asked}没有订。{who}订了：{spoken_list(items)}。")
            return []
        shown = wanted if (mention or meal) else items
        dispatcher.utter_message(text=f"{who}订了{len(shown)}个：{spoken_list(shown)}。")
        return []
