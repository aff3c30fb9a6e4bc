"""The emergency form: the turns after an alert (or a question about one) until the person is settled.

Stages (slot `alert_stage`): "check" — reported speech was heard and "您自己没事吧？" asked;
"place" — the alert is raised but nobody knows where the person is; "open" — follow-up words join
the alert; "retract" — "我没事了" was heard and is being confirmed. The form asks one question per
turn (action_ask_alert_reply) and ends with action_alert_settled.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.alerts import announce, first_answer, raise_alert, talk_slots
from actions.guarded import GuardedAction, GuardedFormValidation
from actions.safety.place import is_unknown
from actions.safety.records import MAX_STORED_TEXT, add_words, close_as_false_alarm, open_alert, set_place
from actions.safety.responses import ADVICE, QUESTIONS, SETTLED, STAGE_QUESTIONS, TAIL
from actions.safety.status import tell_status
from actions.safety.who import FOUND, identify_for_alert
from actions.safety.words import confirms, is_not_a_place, is_retraction, is_settled, kind_of, sounds_all_right
from actions.tracker_utils import resident_id
from bot.kernel.clock import local_now

logger = logging.getLogger(__name__)

DONE = "done"
# A task asked for during the emergency conversation ends it and starts that task (the alert stays open).
HANDOVER = {"book_meal": "meal_booking_form", "book_service": "service_booking_form",
            "cancel_booking": "cancel_booking_form", "check_bookings": "action_check_bookings"}


# A task is asked for, not just told about: "窗户开了，阀门也关上了" during a gas alert is what was done.
_ASKS = re.compile(r"约|订|预订|帮我|给我|替我|找(个)?人|派(个)?人|叫(个)?人|我要|我想|想要|能不能|可以不|行不")


def _said(text: str) -> str:
    short = text.strip()
    return short if len(short) <= 20 else short[:20] + "…"


def _alert_id(tracker: Tracker) -> Optional[int]:
    try:
        return int(tracker.get_slot("alert_id"))
    except (TypeError, ValueError):
        return None


def _still_open(tracker: Tracker) -> bool:
    with runtime.sessions()() as session:
        alert = open_alert(session, resident_id(tracker), tracker.sender_id)
        return alert is not None and alert.id == _alert_id(tracker)


class ValidateEmergencyForm(GuardedFormValidation):
    """Reads each answer during an emergency: adds it to the alert and answers what was said."""

    # A silent turn during an emergency is an answer too ("no answer → the alert"): not asked again.
    asks_unanswerable_again = False

    def name(self) -> Text:
        return "validate_emergency_form"

    async def validate_alert_reply(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "")[:MAX_STORED_TEXT]
        stage = tracker.get_slot("alert_stage") or "open"
        turns = float(tracker.get_slot("alert_turns") or 0) + 1
        if stage == "check":
            return self._after_check(dispatcher, tracker, text)
        alert_id = _alert_id(tracker)
        if alert_id is None:  # the database failed when it was raised: try again with everything said
            return self._raise(dispatcher, tracker, text)
        if stage == "retract":
            return self._after_retract(dispatcher, tracker, alert_id, text, turns)
        if is_retraction(text):
            add_words(alert_id, text, "retracting")
            return {"alert_reply": None, "alert_stage": "retract", "alert_turns": turns}
        task = (tracker.latest_message.get("intent") or {}).get("name")
        if task in HANDOVER and not kind_of(text) and tracker.get_slot("kiosk_mode") == "home" and _ASKS.search(text):
            add_words(alert_id, text, "")  # staff see it; the alert stays open for them
            return {"alert_reply": DONE, "alert_stage": "settled", "alert_next": HANDOVER[task]}
        if resident_id(tracker) is None and identify_for_alert(tracker, alert_id, local_now(runtime.settings())):
            add_words(alert_id, text, "")
            dispatcher.utter_message(text=FOUND)  # "我叫赵福海" … "手机号后四位9753": staff now see who it is
            return {"alert_reply": None, "alert_stage": stage, "alert_turns": turns - 1}
        if stage == "place" and is_not_a_place(text):
            # Who they are, not where: staff read it with the alert, and the place is asked again.
            add_words(alert_id, text, "")
            dispatcher.utter_message(response="utter_alert_noted", said=_said(text))
            return {"alert_reply": None, "alert_stage": "place", "alert_turns": turns - 1}
        if stage == "place":
            set_place(alert_id, text)
            dispatcher.utter_message(response="utter_alert_place_noted", place=_said(text))
            return {"alert_reply": None, "alert_stage": "open", "alert_turns": turns - 1}
        kind = tracker.get_slot("alert_kind") or "help"
        new_kind = kind_of(text)
        # A cry the keyword net caught again ("救命" once more) is a repeat, not a description.
        cried_again = str(tracker.latest_message.get("safety_net") or "").startswith("emergency:")
        add_words(alert_id, text, new_kind, repeat=cried_again)
        if cried_again and new_kind in (None, kind):
            dispatcher.utter_message(response="utter_alert_joined")
            return {"alert_reply": None, "alert_turns": turns - 1}
        if new_kind and new_kind != kind:
            dispatcher.utter_message(response=ADVICE[new_kind], crisis_line=runtime.settings().crisis_line)
            dispatcher.utter_message(response="utter_alert_staff_told_more")
            return {"alert_reply": None, "alert_kind": new_kind, "alert_turns": 1.0}
        if kind == "self_harm":
            if not _still_open(tracker):  # staff are with them now
                return {"alert_reply": DONE, "alert_stage": "settled"}
            dispatcher.utter_message(response="utter_alert_stay_self_harm")
            return {"alert_reply": None, "alert_turns": turns}
        # After the last question the form ends (self-harm, above, never ends first).
        if is_settled(text) or turns >= len(QUESTIONS.get(kind, QUESTIONS["help"])):
            if not is_settled(text):
                dispatcher.utter_message(response="utter_alert_noted", said=_said(text))
            return {"alert_reply": DONE, "alert_stage": "settled"}
        dispatcher.utter_message(response="utter_alert_noted", said=_said(text))
        dispatcher.utter_message(response=TAIL.get(kind, TAIL["help"]))
        return {"alert_reply": None, "alert_turns": turns}

    def _after_check(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Dict[Text, Any]:
        if sounds_all_right(text) and not kind_of(text):
            return {"alert_reply": DONE, "alert_stage": "ok", "alert_pending": None}
        # Any sign of trouble, or no clear "I am fine": the alert, with both turns' words.
        said = f"{tracker.get_slot('alert_pending') or ''} / {text}".strip(" /")
        return self._raise(dispatcher, tracker, said)

    def _raise(self, dispatcher: CollectingDispatcher, tracker: Tracker, said: str) -> Dict[Text, Any]:
        raised = raise_alert(tracker, said)
        announce(raised, tracker.get_slot("channel") or "rest")
        first_answer(dispatcher, raised)
        slots = {event["name"]: event["value"] for event in talk_slots(raised, "place" if is_unknown(raised.location)
                                                                        else "open")}
        slots.update({"alert_reply": None, "alert_pending": None})
        return slots

    def _after_retract(self, dispatcher: CollectingDispatcher, tracker: Tracker, alert_id: int, text: str,
                       turns: float) -> Dict[Text, Any]:
        if confirms(text):
            rid = resident_id(tracker)
            actor = f"resident:{rid}" if rid is not None else f"sender:{tracker.sender_id}"
            close_as_false_alarm(alert_id, actor, local_now(runtime.settings()))
            return {"alert_reply": DONE, "alert_stage": "closed"}
        add_words(alert_id, text, kind_of(text))
        dispatcher.utter_message(response="utter_alert_not_retracted")
        return {"alert_reply": None, "alert_stage": "open", "alert_turns": turns}




class ActionAskAlertReply(GuardedAction):
    """The one question of this turn: are you all right, where are you, what hurts, did you mean it."""

    def name(self) -> Text:
        return "action_ask_alert_reply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        stage = tracker.get_slot("alert_stage") or "open"
        if stage in ("check", "place", "retract"):
            dispatcher.utter_message(response=STAGE_QUESTIONS[stage])
            return []
        questions = QUESTIONS.get(tracker.get_slot("alert_kind") or "help", QUESTIONS["help"])
        number = min(int(float(tracker.get_slot("alert_turns") or 0)), len(questions) - 1)
        dispatcher.utter_message(response=questions[number])
        return []


class ActionAlertSettled(GuardedAction):
    """The emergency form is over: one calm last sentence, and the alert slots put away."""

    def name(self) -> Text:
        return "action_alert_settled"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        stage = tracker.get_slot("alert_stage")
        following = tracker.get_slot("alert_next")
        events: List[EventType] = [SlotSet(name, None) for name in (
            "alert_reply", "alert_stage", "alert_pending", "alert_turns", "alert_kind", "alert_next")]
        events.append(SlotSet("alert_talk", False))
        if following in HANDOVER.values():
            return events + [FollowupAction(following)]
        dispatcher.utter_message(response=SETTLED.get(stage or "", SETTLED["open"]))
        return events


class ActionRetractAlert(GuardedAction):
    """"我刚才是说着玩的": if an alert is open, confirm once before closing it; otherwise nothing to take back."""

    def name(self) -> Text:
        return "action_retract_alert"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        with runtime.sessions()() as session:
            alert = open_alert(session, resident_id(tracker), tracker.sender_id)
            alert_id, kind = (alert.id, alert.kind) if alert else (None, None)
        if alert_id is None:
            dispatcher.utter_message(response="utter_alert_nothing_to_retract")
            return [SlotSet("alert_talk", False)]
        add_words(alert_id, tracker.latest_message.get("text") or "", "retracting")
        return [SlotSet("alert_id", str(alert_id)), SlotSet("alert_kind", kind), SlotSet("alert_stage", "retract"),
                SlotSet("alert_turns", 0.0), SlotSet("alert_talk", True)]


class ActionAlertStatus(GuardedAction):
    """A relative asks what became of an alert: who acknowledged it, when, what staff noted."""

    def name(self) -> Text:
        return "action_alert_status"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        rid = resident_id(tracker)
        if rid is None or not tell_status(dispatcher, tracker, rid):
            dispatcher.utter_message(response="utter_alert_status_none")
        return []
