"""The home-service booking form: which service, which day, morning or afternoon (or a time),
any special request; read back with the price and booked only after yes."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import runtime
from actions.context import who_for
from actions.db.models import Resident
from actions.forms.read_back import INTERRUPTING, ReadBackForm
from actions.lang.spoken import say_date
from actions.services.context import ServiceContext, service_context
from actions.services.phrases import assessment_sentence, problem_sentence
from actions.services.said import service_values
from actions.services.slots import Problem, ServiceChoice, nearest_free, problem_with
from bot.kernel.contract import button

REQUIRED = ("service_code", "service_date", "service_half_day", "service_confirmed")
EXTRA = ("service_time", "service_note")
STATE = REQUIRED + EXTRA + ("service_stop", "service_changing", "service_offer", "service_rejected")
CLEARS = {Problem.PAST: ("service_date", "service_half_day", "service_time"),
          Problem.TOO_FAR: ("service_date",), Problem.CLOSED: ("service_date", "service_half_day", "service_time"),
          Problem.FULL: ("service_date", "service_half_day", "service_time")}


def choice_from(slots: Dict[str, Any]) -> Optional[ServiceChoice]:
    if not slots.get("service_code"):
        return None
    day = dt.date.fromisoformat(slots["service_date"]) if slots.get("service_date") else None
    return ServiceChoice(slots["service_code"], day, slots.get("service_half_day"))


class ValidateServiceBookingForm(ReadBackForm):
    prefix = "service"
    required = REQUIRED
    can_do = "能约。"
    extra_state = EXTRA
    interrupting = INTERRUPTING | {"book_meal"}

    def name(self) -> Text:
        return "validate_service_booking_form"

    def context(self, tracker: Tracker) -> ServiceContext:
        return service_context(tracker)

    def said(self, tracker: Tracker, context: ServiceContext, session: Session,
             requested: Optional[str]) -> Dict[str, Any]:
        values = service_values(tracker.latest_message, context.catalogue, context.today, requested)
        if "service_half_day" in values and "service_time" not in values:
            values["service_time"] = None  # a new half-day without a time drops the old time
        old_note = tracker.get_slot("service_note") if requested else None
        if values.get("service_note") and old_note and values["service_note"] not in old_note:
            values["service_note"] = f"{old_note}，{values['service_note']}"[:200]
        return values

    def offer_values(self, offer: Dict[str, Any]) -> Dict[str, Any]:
        return {"service_date": offer["day"], "service_half_day": offer["half_day"], "service_time": None}

    def check(self, dispatcher: CollectingDispatcher, context: ServiceContext, state: Dict[str, Any],
              resident: Resident, session: Session) -> Dict[str, Any]:
        choice = choice_from(state)
        if choice is None:
            return {}
        problem = problem_with(session, context.catalogue, choice, context.now, resident.id)
        if problem is None:
            return {}
        service = context.catalogue.by_code(choice.code)
        who = who_for(context, resident.name)
        if problem is Problem.NEEDS_ASSESSMENT:
            dispatcher.utter_message(text=assessment_sentence(service, resident, runtime.settings().community_phone,
                                                              who))
            return {"service_stop": "assessment"}
        dispatcher.utter_message(text=problem_sentence(problem, choice, service, context.today, who))
        if problem is Problem.DUPLICATE:
            return {"service_stop": "duplicate"}
        updates: Dict[str, Any] = {slot: None for slot in CLEARS.get(problem, ())}
        updates["service_confirmed"] = None
        if choice.half_day is None and problem is not Problem.FULL:
            return updates  # the day is wrong: ask for another day
        found = nearest_free(session, context.catalogue, choice, context.now, resident.id)
        if not found:
            return updates
        titles = [f"{say_date(option.day, context.today)}{option.half_day}" for option in found]
        buttons = [button(title, "inform", date=option.day.isoformat(), time_of_day=option.half_day)
                   for option, title in zip(found, titles)]
        offers = [{"day": option.day.isoformat(), "half_day": option.half_day} for option in found]
        question = f"最近有空的是{'，还有'.join(titles)}。要{titles[0]}吗？"
        updates.update(self.offer(dispatcher, offers, buttons, question, "不约了"))
        return updates
