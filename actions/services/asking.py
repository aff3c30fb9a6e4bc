"""The home-service form's questions, one at a time, with at most three choices as buttons."""
from __future__ import annotations

import re
from abc import ABC

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.context import who_for
from actions.db.models import Resident
from actions.forms.asking import AskSlot, day_buttons
from actions.lang.spoken import say_money
from actions.services.booking import price_of
from actions.services.context import service_context
from actions.services.form import choice_from
from actions.services.phrases import price_sentence, read_back
from bot.kernel.contract import button

_ASKS_PRICE = re.compile(r"多少钱|几块钱|要钱不|收钱|收费|贵不贵|价钱|价格|花多少|咋收|怎么收")
# The three services asked for most; the others are understood when said.
COMMON = ("助洁", "助浴", "助医")


class _AskServiceSlot(AskSlot, ABC):
    offer_slot = "service_offer"
    resume = "咱们接着约上门服务。"


class ActionAskServiceCode(_AskServiceSlot):
    slot = "service_code"
    example = "打扫卫生"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_service_code",
                                 buttons=[button(name, "inform", service_type=name)
                                          for name in COMMON])


class ActionAskServiceDate(_AskServiceSlot):
    slot = "service_date"
    example = "明天"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        context = service_context(tracker)
        code = tracker.get_slot("service_code")
        service = next((s for s in context.catalogue.services if s.code == code), None)
        if service is not None and not tracker.get_slot("service_changing"):
            if _ASKS_PRICE.search(tracker.latest_message.get("text") or "") and context.resident_id is not None:
                # "上门帮着洗澡那个，多少钱一回": the price first, then the booking's question.
                with runtime.sessions()() as session:
                    resident = session.get(Resident, context.resident_id)
                    if resident is not None:
                        price = price_of(service, resident, context.today)
                        full = f"一次{say_money(price.unit_price)}，" if price.subsidy and price.unit_price else ""
                        said = price_sentence(price, who_for(context, resident.name))
                        dispatcher.utter_message(text=f"{service.name}{full}{said}要约的话，哪天来？",
                                                 buttons=day_buttons(context.today))
                        return
            # Say what was understood before the first question about it: "约陪聊，哪天来？" ("给王建国约…" to a relative).
            whom = f"给{tracker.get_slot('resident_name')}" if context.is_family and tracker.get_slot("resident_name") else ""
            dispatcher.utter_message(text=f"好的，{whom}约{service.name}。哪天来？", buttons=day_buttons(context.today))
            return
        dispatcher.utter_message(response="utter_ask_service_date", buttons=day_buttons(context.today))


class ActionAskServiceHalfDay(_AskServiceSlot):
    slot = "service_half_day"
    example = "上午"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_service_half_day",
                                 buttons=[button(half, "inform", time_of_day=half)
                                          for half in ("上午", "下午")])


class ActionAskServiceConfirmed(_AskServiceSlot):
    """The read-back: service, day and time, the special request, the price after subsidy, then "对吗？"."""

    slot = "service_confirmed"
    example = "对"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        if tracker.get_slot("service_changing"):
            dispatcher.utter_message(response="utter_service_what_to_change")
            return
        context = service_context(tracker)
        choice = choice_from({name: tracker.get_slot(name) for name in
                              ("service_code", "service_date", "service_half_day")})
        service = context.catalogue.by_code(choice.code)
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id)
            price = price_of(service, resident, choice.day)
            text = read_back(service, choice, tracker.get_slot("service_time") or "",
                             tracker.get_slot("service_note") or "", price, context.today,
                             who_for(context, resident.name))
        dispatcher.utter_message(text=text, buttons=[button("对", "affirm"),
                                                     button("不对", "deny")])
