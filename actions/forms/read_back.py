"""Forms that take everything said at once, explain each problem with the nearest alternative,
read everything back and write only after yes. The meal and home-service forms share this."""
from __future__ import annotations

import copy
import json
import re
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import runtime
from actions.db.models import Resident
from actions.guarded import GuardedFormValidation
from actions.tracker_utils import latest_intent
from bot.kernel.contract import normalize
from bot.kernel.words.task_cues import starts_with_yes

# Intents a form leaves to the rules: it rejects the turn, they run, then the form goes on.
INTERRUPTING = frozenset({"emergency", "report_danger", "human_handoff", "repeat", "speak_slower", "speak_louder", "ask_menu",
                          "check_bookings", "ask_policy", "goodbye", "ask_help", "greet", "thank", "out_of_scope",
                          "share_feelings", "scam_warning"})
STOP_WORDS = ("算了", "不订了", "不订", "不约了", "不约", "不要了", "不用了", "别订", "别约", "取消", "不吃了", "不做了")
# "还能订不", "能不能约": a question whether it can be done, answered before the form's first question.
CAN_I = re.compile(r"还能(订|约)|能不能(订|约)|能(订|约)(不|吗|么)|可以(订|约)(不|吗|么)|来得及|还订得上|还约得上")
# "不对，是后天" / "不是明天是后天" / "改成三份": the words after the last marker are the new value.
_CORRECTION = re.compile(r"(改成|换成|改为|改到|换到|应该是|不是.*?是|不对.*?是|错了.*?是)")


# "不是上午，下午，上午我要去打针": the wrong value named, then the right one in the next clause (the rest is a reason).
_NOT_THIS_THAT = re.compile(r"^(?:不是|不对|错了)([^，,。；;！!]+)[，,。；;！!]\s*([^，,。；;！!]+)")


def corrected_part(text: str) -> str:
    """The part of a correction that holds the new value (the whole text when it is not one)."""
    named = _NOT_THIS_THAT.match(text)
    if named and "是" not in named.group(1) and not named.group(2).startswith(("是", "我", "要", "想")):
        return named.group(2)
    matches = list(_CORRECTION.finditer(text))
    last = matches[-1] if matches else None
    return text[last.end():] if last else text


_LEADING_FILLER = re.compile(r"^[\s，,。.!！]*(哎呀|哎|唉|啊|哦|噢|嗯|那|那就|呃|额)?[\s，,。.!！]*")


def stop_requested(tracker: Tracker) -> bool:
    """A stop: a cancellation or no with a stop word, or any words that open with one ("不要了，我闺女给我带")."""
    intent = latest_intent(tracker)
    text = tracker.latest_message.get("text") or ""
    opening = _LEADING_FILLER.sub("", text, count=1)
    return (intent == "cancel_booking" or (intent == "deny" and any(word in text for word in STOP_WORDS))
            or opening.startswith(STOP_WORDS))


def stop_by_opening_only(tracker: Tracker) -> bool:
    """A stop the classifier read as something else; no stop rule fires, so the form ends itself."""
    return stop_requested(tracker) and latest_intent(tracker) not in ("cancel_booking", "deny")


def _as_if_said(tracker: Tracker) -> Tracker:
    """The tracker as if the kept request ("pending_request") were the latest message."""
    try:
        kept = json.loads(tracker.get_slot("pending_request") or "{}")
    except ValueError:
        kept = {}
    earlier = copy.copy(tracker)
    earlier.latest_message = {"text": str(kept.get("text") or ""), "entities": list(kept.get("entities") or []),
                              "intent": {}}
    return earlier


class ReadBackForm(GuardedFormValidation):
    """The shared dialogue logic; a subclass says what the words mean and what can be booked."""

    prefix = ""  # "meal": slots meal_confirmed, meal_stop, meal_changing, meal_offer
    can_do = "可以。"  # the answer to "能不能订…" when nothing stands in the way
    required: Tuple[str, ...] = ()
    extra_state: Tuple[str, ...] = ()  # slots kept by the form that are not asked for
    interrupting = INTERRUPTING

    @property
    def state(self) -> Tuple[str, ...]:
        return self.required + self.extra_state + (self.slot("stop"), self.slot("changing"), self.slot("offer"),
                                                   self.slot("rejected"))

    def slot(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    @abstractmethod
    def said(self, tracker: Tracker, context: Any, session: Session, requested: Optional[str]) -> Dict[str, Any]:
        """Slot values found in the latest message."""

    @abstractmethod
    def check(self, dispatcher: CollectingDispatcher, context: Any, state: Dict[str, Any], resident: Resident,
              session: Session) -> Dict[str, Any]:
        """Explain the first problem with the state and offer alternatives; returns slot changes."""

    @abstractmethod
    def context(self, tracker: Tracker) -> Any:
        """Who is served, by whom, when, under which rules."""

    def starting_values(self, resident: Resident, context: Any) -> Dict[str, Any]:
        return {}

    def offer_values(self, offer: Dict[str, Any]) -> Dict[str, Any]:
        """The slots an accepted alternative fills."""
        return dict(offer)

    def yes_values(self, requested: Optional[str]) -> Dict[str, Any]:
        """What a bare yes ("行", "中", "好嘞") to this question means, when it can mean anything."""
        return {}

    def changed_words(self, slot: str, value: Any) -> str:
        """How a changed answer is acknowledged ("改成晚饭"); empty says nothing."""
        return ""

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return [] if tracker.get_slot(self.slot("stop")) else list(self.required)

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        return []  # everything happens in get_validation_events, which sees the whole turn

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        # Rasa marks the loop active before its first validation; no question asked yet means it is starting.
        starting = not tracker.get_slot("requested_slot")
        if not starting and stop_by_opening_only(tracker) and latest_intent(tracker) not in self.interrupting:
            # Ends the form; its stop action says nothing was booked, as after "算了" (the booking action, should it
            # run, writes nothing while the stop slot is set).
            return [SlotSet(self.slot("stop"), "stopped"), FollowupAction(f"action_{self.prefix}_stopped")]
        if not starting and (latest_intent(tracker) in self.interrupting or stop_requested(tracker)):
            return []  # rejected: a rule answers (a stop: "算了，不订了" ends the form without the booking action)
        context = self.context(tracker)
        previous = {slot: None if starting else tracker.get_slot(slot) for slot in self.state}
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id) if context.resident_id else None
            if resident is None:
                dispatcher.utter_message(response="utter_need_resident")
                return [SlotSet(slot, None) for slot in self.state] + [SlotSet(self.slot("stop"), "no_resident")]
            updates = self._understand(dispatcher, tracker, context, previous, resident, session, starting)
            if not updates:
                return []
            state = {**previous, **updates}
            if not state.get(self.slot("stop")):
                checked = self.check(dispatcher, context, state, resident, session)
                if starting and not checked and CAN_I.search(tracker.latest_message.get("text") or ""):
                    dispatcher.utter_message(text=self.can_do)  # "今天中午的饭还能订不" gets its answer first
                updates.update(checked)
                updates.update(self._remember_rejected(state, checked))
        return [SlotSet(slot, value) for slot, value in updates.items()]

    def _understand(self, dispatcher: CollectingDispatcher, tracker: Tracker, context: Any,
                    previous: Dict[str, Any], resident: Resident, session: Session, starting: bool) -> Dict[str, Any]:
        """The slot changes this turn asks for (empty: the turn said nothing for the form)."""
        confirmed, changing, offer = self.slot("confirmed"), self.slot("changing"), self.slot("offer")
        updates: Dict[str, Any] = {}
        if starting:
            updates = {slot: None for slot in self.state}
            updates.update(self.starting_values(resident, context))
        requested = None if starting else tracker.get_slot("requested_slot")
        values = self.said(tracker, context, session, requested)
        if starting and tracker.get_slot("pending_request"):
            # Resumed after the community kiosk asked who is speaking: what was asked then still counts.
            values = {**self.said(_as_if_said(tracker), context, session, None), **values}
            updates["pending_request"] = None
        changed = {slot: value for slot, value in values.items() if previous.get(slot) != value}
        intent = latest_intent(tracker)
        # A yes said with the answer repeated ("对，就是洗澡") changes nothing and is a yes.
        yes = intent == "affirm" or (not changed and starts_with_yes(normalize(tracker.latest_message.get("text"))))
        offers = json.loads(previous.get(offer) or "[]")
        if changed:
            # "今天的午饭过了时间" → "那订晚饭行不": still today. What a problem took back fills what is not said again.
            rejected = json.loads(previous.get(self.slot("rejected")) or "{}")
            changed.update({slot: value for slot, value in rejected.items()
                            if slot not in changed and previous.get(slot) is None})
            updates[self.slot("rejected")] = None
            updates.update(changed)
            updates.update({offer: None, changing: None, confirmed: None})
            self._acknowledge(dispatcher, previous, changed, requested)
        elif offers and yes:
            updates.update(self.offer_values(offers[0]))
            updates.update({offer: None, confirmed: None})
        elif offers and intent == "deny":
            updates[offer] = None
        elif requested == confirmed and yes:
            updates[confirmed] = True
        elif requested == confirmed and intent == "deny":
            updates.update({changing: True, confirmed: None})
        elif yes and self.yes_values(requested):
            updates.update(self.yes_values(requested))
        elif not updates and intent != "nlu_fallback":
            # Understood as a reply, but it says nothing the form can use: ask the same again.
            dispatcher.utter_message(response="utter_not_caught")
            updates[confirmed] = None
        return updates

    def _remember_rejected(self, state: Dict[str, Any], checked: Dict[str, Any]) -> Dict[str, Any]:
        """The answers a problem took back, kept for the next turn (which may change only one of them)."""
        taken = {slot: state[slot] for slot, value in checked.items()
                 if value is None and slot in self.required and slot != self.slot("confirmed")
                 and state.get(slot) is not None}
        return {self.slot("rejected"): json.dumps(taken, ensure_ascii=False)} if taken else {}

    def _acknowledge(self, dispatcher: CollectingDispatcher, previous: Dict[str, Any], changed: Dict[str, Any],
                     requested: Optional[str]) -> None:
        """A change to an answer given before ("晚上那顿吧") is said back, so the person hears it was taken."""
        if requested == self.slot("confirmed"):
            return  # the read-back that follows says everything again
        words = [self.changed_words(slot, value) for slot, value in changed.items()
                 if previous.get(slot) is not None and value is not None]
        words = [w for w in words if w]
        if words:
            dispatcher.utter_message(text="好的，" + "，".join(words) + "。")

    def offer(self, dispatcher: CollectingDispatcher, offers: List[Dict[str, Any]], buttons: List[Dict[str, str]],
              question: str, stop_title: str) -> Dict[str, Any]:
        """Ask about the first alternative (a yes takes it); all are buttons, at most three with the stop."""
        dispatcher.utter_message(text=question, buttons=buttons[:2] + [{"title": stop_title, "payload": stop_title}])
        return {self.slot("offer"): json.dumps(offers[:2], ensure_ascii=False)}
