"""Cancelling by description ("明天的午饭不要了"): find the booking, offer at most three
when several match, refuse after the cut-off with the canteen's phone, confirm, cancel."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.audit import record
from actions.bookings.listing import BookingItem, all_upcoming, matching, spoken_list, what_mentioned
from actions.context import TaskContext, task_context, who_for
from actions.forms.read_back import INTERRUPTING as BASE_INTERRUPTING
from actions.forms.stopped import FormStopped
from actions.guarded import GuardedAction, GuardedFormValidation
from actions.lang.dates import parse_date
from actions.lang.numbers import chinese_number
from actions.meals import booking as meal_booking
from actions.meals.rules import load_rules
from actions.services.catalogue import load_catalogue
from actions.services.lifecycle import change_status
from actions.tracker_utils import latest_intent
from bot.kernel.contract import button

KEPT = "好的，不取消，预订还在。"
STATE = ("cancel_ref", "cancel_confirmed", "cancel_options", "cancel_stop")
MAX_OPTIONS = 3
INTERRUPTING = BASE_INTERRUPTING | {"book_meal", "book_service"}
_ORDINAL = re.compile(r"第?([一二三1-3两])个?")
# "不取消了" is classified like a request to cancel; these words mean keep it.
_KEEP = re.compile(r"(不|别|不用|不要|甭)(取消|退|撤)|算了|先留着|还要")
# A cancellation is only read back when the words really ask for one: a long request misread as a
# cancellation, then a bare "嗯", must never cancel what the person booked.
CANCEL_CUES = re.compile(r"取消|退(掉|了|订)?|撤|不要了|不用了|不吃了|不去了|不订了|不约了|不来了|别来|不用来|不需要了|"
                         r"不做了|不洗了|推了|去掉|作废|改天|不在家")


def asks_to_cancel(text: str) -> bool:
    return text.startswith("/") or bool(CANCEL_CUES.search(text))


def _items(context: TaskContext) -> List[BookingItem]:
    with runtime.sessions()() as session:
        return all_upcoming(session, context.resident_id, context.today)


def _described(text: str, context: TaskContext) -> tuple:
    mention = parse_date(text, context.today)
    return (mention.day if mention else None,
            what_mentioned(text, load_catalogue(runtime.settings().services_config)))


def _pick(text: str, options: List[BookingItem], context: TaskContext) -> List[BookingItem]:
    """Which offered booking the answer names: by position ("第二个") or by day, meal or service."""
    day, what = _described(text, context)
    if day or what:
        return matching(options, day, what)
    found = _ORDINAL.search(text.replace(" ", ""))
    if found:
        position = chinese_number(found.group(1))
        if position and 1 <= position <= len(options):
            return [options[position - 1]]
    return []


class ValidateCancelBookingForm(GuardedFormValidation):
    def name(self) -> Text:
        return "validate_cancel_booking_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return [] if tracker.get_slot("cancel_stop") else ["cancel_ref", "cancel_confirmed"]

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        return []

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        # Rasa marks the loop active before its first validation; no question asked yet means it is starting.
        starting = not tracker.get_slot("requested_slot")
        intent = latest_intent(tracker)
        if not starting and intent in INTERRUPTING:
            return []
        if not starting and (intent == "deny" or (intent == "cancel_booking"
                                                  and _KEEP.search(tracker.latest_message.get("text") or ""))):
            return []  # rejected: a rule ends the form and nothing is cancelled ("哎别取消了，还要")
        context = task_context(tracker)
        if context.resident_id is None:
            dispatcher.utter_message(response="utter_need_resident")
            return [SlotSet(slot, None) for slot in STATE] + [SlotSet("cancel_stop", "no_resident")]
        updates = self._understand(dispatcher, tracker, context, starting, intent)
        return [SlotSet(slot, value) for slot, value in updates.items()]

    def _understand(self, dispatcher: CollectingDispatcher, tracker: Tracker, context: TaskContext,
                    starting: bool, intent: Optional[str]) -> Dict[str, Any]:
        who = who_for(context, tracker.get_slot("resident_name"))
        text = tracker.latest_message.get("text") or ""
        if starting:
            updates: Dict[str, Any] = {slot: None for slot in STATE}
            if not asks_to_cancel(text):
                dispatcher.utter_message(text="我没听明白您要做什么。要取消预订，就说哪天哪一顿，比如“明天的午饭不要了”。")
                return {**updates, "cancel_stop": "unclear"}
            items = _items(context)
            day, what = _described(text, context)
            if not items:
                dispatcher.utter_message(text=f"{who}现在没有要取消的预订。")
                return {**updates, "cancel_stop": "none"}
            candidates = matching(items, day, what)
            if not candidates:
                dispatcher.utter_message(text=f"没找到这个预订。{who}订的有：{spoken_list(items)}。")
                candidates = items
            return {**updates, **self._choose(dispatcher, candidates, context)}
        requested = tracker.get_slot("requested_slot")
        if intent == "deny" or _KEEP.search(text):
            return {"cancel_stop": "asked"}
        if requested == "cancel_confirmed":
            if intent in ("affirm", "cancel_booking"):
                return {"cancel_confirmed": True}
            dispatcher.utter_message(response="utter_not_caught")
            return {"cancel_confirmed": None}
        options = self._options(tracker, context)
        picked = _pick(text, options, context)
        if len(picked) != 1:
            dispatcher.utter_message(response="utter_not_caught")
            return {"cancel_ref": None}
        return self._choose(dispatcher, picked, context)

    @staticmethod
    def _options(tracker: Tracker, context: TaskContext) -> List[BookingItem]:
        refs = json.loads(tracker.get_slot("cancel_options") or "[]")
        by_ref = {item.ref: item for item in _items(context)}
        return [by_ref[ref] for ref in refs if ref in by_ref]

    @staticmethod
    def _choose(dispatcher: CollectingDispatcher, candidates: List[BookingItem], context: TaskContext) -> Dict[str, Any]:
        if len(candidates) > 1:
            return {"cancel_options": json.dumps([item.ref for item in candidates[:MAX_OPTIONS]])}
        item = candidates[0]
        if context.now >= item.deadline:
            dispatcher.utter_message(text=f"{item.line}已经过了取消时间，这里取消不了。请打电话{item.phone}。")
            return {"cancel_stop": "cutoff"}
        return {"cancel_ref": item.ref, "cancel_options": None}


class ActionAskCancelRef(GuardedAction):
    """Several bookings match: name at most three and ask which one."""

    def name(self) -> Text:
        return "action_ask_cancel_ref"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        options = ValidateCancelBookingForm._options(tracker, context)
        numbered = "；".join(f"第{'一二三'[i]}个，{item.line}" for i, item in enumerate(options))
        dispatcher.utter_message(
            text=f"有{len(options)}个预订：{numbered}。取消哪一个？",
            buttons=[{"title": item.short, "payload": f"第{'一二三'[i]}个"} for i, item in enumerate(options)])
        return []


class ActionAskCancelConfirmed(GuardedAction):
    def name(self) -> Text:
        return "action_ask_cancel_confirmed"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        ref = tracker.get_slot("cancel_ref")
        item = next((i for i in _items(context) if i.ref == ref), None)
        if item is None:
            dispatcher.utter_message(text="这个预订已经不在了。")
            return []
        dispatcher.utter_message(text=f"要取消{item.line}，对吗？",
                                 buttons=[button("对，取消", "affirm"),
                                          button("不取消", "deny")])
        return []


def cancel_item(item: BookingItem, context: TaskContext) -> bool:
    """Cancel a meal or a visit for the person speaking; false when it is too late."""
    kind, _, number = item.ref.partition(":")
    settings = runtime.settings()
    if kind == "meal":
        result = meal_booking.cancel(runtime.sessions(), load_rules(settings.meals_config), int(number),
                                     context.actor, context.now)
        return result.ok
    if context.now >= item.deadline:
        return False
    reason = "家属取消" if context.is_family else "本人取消"
    change_status(runtime.sessions(), load_catalogue(settings.services_config), int(number), "cancelled",
                  context.actor, reason=reason)
    return True


class ActionCancelStopped(FormStopped):
    """The cancel form ended by a change of mind: nothing is cancelled and action_cancel_booking does not run."""

    state = STATE
    not_booked_text = KEPT

    def name(self) -> Text:
        return "action_cancel_stopped"


class ActionCancelBooking(GuardedAction):
    """After the form: cancel only what was confirmed."""

    def name(self) -> Text:
        return "action_cancel_booking"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reset: List[EventType] = [SlotSet(slot, None) for slot in STATE]
        stop = tracker.get_slot("cancel_stop")
        ref = tracker.get_slot("cancel_ref")
        if stop in ("none", "cutoff", "no_resident"):
            return reset
        if stop or not tracker.get_slot("cancel_confirmed") or not ref:
            dispatcher.utter_message(text=KEPT)
            return reset
        context = task_context(tracker)
        item = next((i for i in _items(context) if i.ref == ref), None)
        if item is None:
            dispatcher.utter_message(text="这个预订已经不在了。")
            return reset
        if not cancel_item(item, context):
            dispatcher.utter_message(text=f"{item.line}已经过了取消时间，这里取消不了。请打电话{item.phone}。")
            return reset
        record(actor=context.actor, action=f"{ref.split(':')[0]}_cancelled", target=ref, detail=item.line)
        dispatcher.utter_message(text=f"好的，{item.line}已经取消了。")
        return reset
