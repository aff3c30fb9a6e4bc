"""After the home-service form: write the visit only when the read-back was confirmed."""
from __future__ import annotations

import json
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.audit import record
from actions.context import who_for
from actions.db.models import Resident, ServiceBooking
from actions.forms.stopped import FormStopped
from actions.guarded import GuardedAction
from actions.lang.spoken import say_money
from actions.services.booking import ServiceRequest, book_service
from actions.services.context import service_context
from actions.services.form import STATE, choice_from
from actions.services.phrases import disability_note, problem_sentence, say_when
from actions.tracker_utils import latest_message_id


class ActionServiceStopped(FormStopped):
    """The service form ended by a stop: nothing is booked and action_book_service does not run."""

    state = STATE
    not_booked = "utter_service_not_booked"

    def name(self) -> Text:
        return "action_service_stopped"


class ActionBookService(GuardedAction):
    def name(self) -> Text:
        return "action_book_service"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reset: List[EventType] = [SlotSet(slot, None) for slot in STATE]
        stop = tracker.get_slot("service_stop")
        if stop in ("duplicate", "no_resident", "assessment"):
            return reset
        if stop or tracker.get_slot("service_confirmed") is not True:
            dispatcher.utter_message(response="utter_service_not_booked")
            return reset
        context = service_context(tracker)
        choice = choice_from({slot: tracker.get_slot(slot) for slot in STATE})
        service = context.catalogue.by_code(choice.code)
        time_note = tracker.get_slot("service_time") or ""
        request = ServiceRequest(resident_id=context.resident_id, choice=choice, booked_by=context.actor,
                                 channel=context.channel, note=tracker.get_slot("service_note") or "",
                                 time_note=time_note, message_id=latest_message_id(tracker))
        result = book_service(runtime.sessions(), context.catalogue, request, context.now)
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id)
            who = who_for(context, resident.name)
            if not result.ok:
                dispatcher.utter_message(text=problem_sentence(result.problem, choice, service, context.today, who)
                                         + "您可以说“约上门服务”重新约。")
                return reset
            booking = session.get(ServiceBooking, result.booking_id)
            who_comes = f"{booking.helper_name}会上门" if booking.helper_name else "工作人员确认以后会告诉您"
            pay = "不收费" if booking.price_total == 0 else f"{say_money(booking.price_total)}，做完再付"
            whom = f"给{who}" if who != "您" else ""  # to a relative: whose visit it is
            dispatcher.utter_message(text=f"{whom}约好了！{service.name}，{say_when(choice, context.today, time_note)}，"
                                          f"{who_comes}。{pay}。" + disability_note(resident, who))
        if not result.replayed:
            record(actor=context.actor, action="service_booked", target=f"service_booking:{result.booking_id}",
                   detail=json.dumps({"resident": context.resident_id, "service": choice.code,
                                      "day": choice.day.isoformat(), "half_day": choice.half_day},
                                     ensure_ascii=False))
        return reset
