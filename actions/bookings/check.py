"""Hearing what is booked: upcoming bookings, briefly, optionally for one day or meal."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.bookings.listing import all_upcoming, matching, spoken_list, what_mentioned, what_name
from actions.context import task_context, who_for
from actions.guarded import GuardedAction
from actions.lang.dates import parse_date
from actions.lang.spoken import say_date
from actions.services.catalogue import load_catalogue
from bot.kernel.contract import button


class ActionCheckBookings(GuardedAction):
    def name(self) -> Text:
        return "action_check_bookings"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.resident_id is None:
            dispatcher.utter_message(response="utter_need_resident")
            return []
        text = tracker.latest_message.get("text") or ""
        mention = parse_date(text, context.today)
        catalogue = load_catalogue(runtime.settings().services_config)
        what = what_mentioned(text, catalogue)
        who = who_for(context, tracker.get_slot("resident_name"))
        with runtime.sessions()() as session:
            items = all_upcoming(session, context.resident_id, context.today)
        if not items:
            dispatcher.utter_message(text=f"{who}现在没有订餐，也没有预约。",
                                     buttons=[button("订餐", "book_meal"),
                                              button("上门服务", "book_service")])
            return []
        wanted = matching(items, mention.day if mention else None, what)
        if (mention or what) and not wanted:
            asked = (say_date(mention.day, context.today) if mention else "") + (what_name(what, catalogue)
                                                                                 if what else "")
            dispatcher.utter_message(text=f"{asked}没有预订。{who}的预订有：{spoken_list(items)}。")
            return []
        shown = wanted if (mention or what) else items
        dispatcher.utter_message(text=f"{who}一共有{len(shown)}个预订：{spoken_list(shown)}。")
        return []
