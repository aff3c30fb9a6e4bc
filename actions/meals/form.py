"""The meal-booking form: fills date, meal, people and delivery from whatever was said,
checks each step against the canteen's rules, reads everything back and waits for yes."""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.db.models import Canteen, Resident
from actions.meals.alternatives import alternatives
from actions.meals.availability import MealChoice, Problem, problem_with
from actions.meals.context import MealContext, meal_context, who_for
from actions.meals.phrases import problem_sentence, say_choice
from actions.meals.said import meal_values

logger = logging.getLogger(__name__)

REQUIRED = ("meal_date", "meal_type", "meal_canteen_id", "meal_quantity", "meal_delivery", "meal_confirmed")
STATE = REQUIRED + ("meal_stop", "meal_changing", "meal_offer")
# Intents the form leaves to the rules (it rejects the turn, so they run and the form goes on).
INTERRUPTING = frozenset({"emergency", "human_handoff", "repeat", "speak_slower", "speak_louder", "ask_menu",
                          "check_bookings", "book_service", "ask_policy", "goodbye", "ask_help", "greet",
                          "thank", "out_of_scope"})
STOP_WORDS = ("算了", "不订了", "不订", "不要了", "不用了", "别订", "取消", "不吃了")
# Which answer a problem takes back, so the form asks for it again.
CLEARS = {Problem.PAST: ("meal_date",), Problem.TOO_FAR: ("meal_date",), Problem.CLOSED: ("meal_date",),
          Problem.NOT_SERVED: ("meal_type",), Problem.CUTOFF: ("meal_date", "meal_type"),
          Problem.FULL: ("meal_date", "meal_type"), Problem.DELIVERY_FULL: ("meal_delivery",),
          Problem.TOO_MANY: ("meal_quantity",)}


def choice_from(slots: Dict[str, Any]) -> Optional[MealChoice]:
    if not slots.get("meal_canteen_id"):
        return None
    day = dt.date.fromisoformat(slots["meal_date"]) if slots.get("meal_date") else None
    quantity = int(slots["meal_quantity"]) if slots.get("meal_quantity") else None
    return MealChoice(int(slots["meal_canteen_id"]), day, slots.get("meal_type"), quantity, slots.get("meal_delivery"))


def offer_slots(choice: MealChoice) -> Dict[str, Any]:
    values: Dict[str, Any] = {"meal_canteen_id": str(choice.canteen_id), "meal_date": choice.day.isoformat(),
                              "meal_type": choice.meal_type}
    if choice.delivery is not None:
        values["meal_delivery"] = choice.delivery
    return values


def offer_button(choice: MealChoice, canteen: Canteen, title: str) -> Dict[str, str]:
    entities = {"date": choice.day.isoformat(), "meal_type": choice.meal_type, "canteen": canteen.name}
    if choice.delivery is not None:
        entities["delivery"] = "送餐上门" if choice.delivery else "堂食"
    return {"title": title, "payload": "/inform" + json.dumps(entities, ensure_ascii=False)}


def _stop_requested(tracker: Tracker) -> bool:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = tracker.latest_message.get("text") or ""
    return intent == "cancel_booking" or (intent == "deny" and any(word in text for word in STOP_WORDS))


class ValidateMealBookingForm(FormValidationAction):
    """Everything said is taken at once; each problem is explained with the nearest alternative."""

    def name(self) -> Text:
        return "validate_meal_booking_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if tracker.get_slot("meal_stop"):
            return []
        return list(REQUIRED)

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        return []  # everything happens in get_validation_events, which sees the whole turn

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        # Rasa marks the loop active before its first validation; no question asked yet means it is starting.
        starting = not tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not starting and intent in INTERRUPTING:
            return []
        context = meal_context(tracker)
        previous = {slot: None if starting else tracker.get_slot(slot) for slot in STATE}
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id) if context.resident_id else None
            if resident is None:
                dispatcher.utter_message(response="utter_meal_need_resident")
                return [SlotSet(slot, None) for slot in STATE] + [SlotSet("meal_stop", "no_resident")]
            updates = self._understand(dispatcher, tracker, context, previous, resident, session, starting)
            if not updates:
                return []
            state = {**previous, **updates}
            if not state.get("meal_stop"):
                updates.update(self._check(dispatcher, context, state, resident, session))
        return [SlotSet(slot, value) for slot, value in updates.items()]

    def _understand(self, dispatcher: CollectingDispatcher, tracker: Tracker, context: MealContext,
                    previous: Dict[str, Any], resident: Resident, session: Any, starting: bool) -> Dict[str, Any]:
        """The slot changes this turn asks for (empty: the turn said nothing for the form)."""
        updates: Dict[str, Any] = {}
        if starting:
            updates = {slot: None for slot in STATE}
            if resident.home_canteen_id:
                updates["meal_canteen_id"] = str(resident.home_canteen_id)
        if not starting and _stop_requested(tracker):
            return {"meal_stop": "asked"}
        requested = None if starting else tracker.get_slot("requested_slot")
        values = meal_values(tracker.latest_message, context.today, session, requested)
        changed = {slot: value for slot, value in values.items() if previous.get(slot) != value}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        offers = json.loads(previous.get("meal_offer") or "[]")
        if changed:
            updates.update(changed)
            updates.update({"meal_offer": None, "meal_changing": None, "meal_confirmed": None})
        elif offers and intent == "affirm":
            updates.update(offer_slots(MealChoice(**{**offers[0], "day": dt.date.fromisoformat(offers[0]["day"])})))
            updates.update({"meal_offer": None, "meal_confirmed": None})
        elif offers and intent == "deny":
            updates["meal_offer"] = None
        elif requested == "meal_confirmed" and intent == "affirm":
            updates["meal_confirmed"] = True
        elif requested == "meal_confirmed" and intent == "deny":
            updates.update({"meal_changing": True, "meal_confirmed": None})
        elif not updates and intent != "nlu_fallback":
            # Understood as a reply, but it says nothing the form can use: ask the same again.
            dispatcher.utter_message(response="utter_meal_not_caught")
            updates["meal_confirmed"] = None
        return updates

    def _check(self, dispatcher: CollectingDispatcher, context: MealContext, state: Dict[str, Any],
               resident: Resident, session: Any) -> Dict[str, Any]:
        """Explain the first problem, take back the answer it concerns and offer the nearest alternative."""
        choice = choice_from(state)
        if choice is None:
            return {}
        problem = problem_with(session, context.rules, choice, context.now, resident.id)
        if problem is None:
            return {}
        canteen = session.get(Canteen, choice.canteen_id)
        who = who_for(context, resident.name)
        dispatcher.utter_message(text=problem_sentence(problem, choice, canteen, context.rules, context.today, who))
        if problem is Problem.DUPLICATE:
            return {"meal_stop": "duplicate"}
        updates: Dict[str, Any] = {slot: None for slot in CLEARS.get(problem, ())}
        updates["meal_confirmed"] = None
        found = alternatives(session, context.rules, choice, problem, context.now, resident.id)
        if found:
            buttons = []
            for option in found:
                option_canteen = session.get(Canteen, option.canteen_id)
                described = say_choice(option, option_canteen, context.today, resident.home_canteen_id)
                if problem is Problem.DELIVERY_FULL and option.delivery is False:
                    described = "改成去食堂吃"
                buttons.append(offer_button(option, option_canteen, described))
            dispatcher.utter_message(text=f"{buttons[0]['title']}还可以订，要订这个吗？",
                                     buttons=buttons + [{"title": "不订了", "payload": "不订了"}])
            updates["meal_offer"] = json.dumps(
                [{**option.__dict__, "day": option.day.isoformat()} for option in found], ensure_ascii=False)
        return updates
