"""A form's question for one slot, skipped when an alternative was just offered (that is the question)."""
from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guarded import GuardedAction
from bot.kernel.contract import button


def offer_made_this_turn(tracker: Tracker, offer_slot: str) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == offer_slot and event.get("value"):
            return True
    return False


def day_buttons(today: dt.date) -> List[Dict[str, str]]:
    """明天 and 后天 as buttons: the days most often meant."""
    return [button(word, "inform", date=(today + dt.timedelta(days=ahead)).isoformat())
            for word, ahead in (("明天", 1), ("后天", 2))]


def asked_without_progress(tracker: Tracker, action_name: str, prefix: str) -> int:
    """How often this question was asked since the form started or last got an answer it could use."""
    asked = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "active_loop" and event.get("name"):
            break
        if kind == "slot" and str(event.get("name", "")).startswith(prefix) and event.get("value") is not None:
            break
        if kind == "action" and event.get("name") == action_name:
            asked += 1
    return asked


def first_question_of_form(tracker: Tracker) -> bool:
    """No question of this form has been asked yet (since it started)."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "active_loop" and event.get("name"):
            return True
        if kind == "action" and str(event.get("name", "")).startswith("action_ask_"):
            return False
    return True


HANDOFF_BUTTON = button("找工作人员", "human_handoff")
# A question about something else was answered this turn: the form says it goes on before it asks.
TOPIC_CHANGES = frozenset({"ask_policy", "ask_menu", "check_bookings", "share_feelings", "out_of_scope", "ask_help",
                           "greet", "thank"})


class AskSlot(GuardedAction):
    slot = ""
    offer_slot = ""
    example = ""  # what a person may say, offered when the question was asked twice without an answer
    resume = ""  # said before the question when another topic was just answered ("咱们接着订饭。")
    task_words = ""  # what the form does, said to a relative with the parent's name before its first question

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if offer_made_this_turn(tracker, self.offer_slot):
            return []
        if self.resume and (tracker.latest_message.get("intent") or {}).get("name") in TOPIC_CHANGES:
            dispatcher.utter_message(text=self.resume)
        elif not self.slot.endswith("_confirmed") and first_question_of_form(tracker):
            understood = self.understood(tracker)
            if self.task_words and tracker.get_slot("actor_role") == "family" and tracker.get_slot("resident_name"):
                # (The read-back names the parent itself.)
                # A relative hears whom the booking is for before the first question: "好的，给王建国订饭。"
                what = f"订{understood}" if understood and self.task_words.startswith("订") else self.task_words
                dispatcher.utter_message(text=f"好的，给{tracker.get_slot('resident_name')}{what}。")
            elif understood and not dispatcher.messages:
                # What was understood is said before the first question ("好的，明天的午饭，送到家。要订几份？").
                dispatcher.utter_message(text=f"好的，{understood}。")
        self.ask(dispatcher, tracker)
        # The same question again and again helps nobody: first an example, then a person.
        before = asked_without_progress(tracker, self.name(), self.offer_slot.split("_")[0] + "_")
        if before == 2 and self.example:
            dispatcher.utter_message(text=f"您可以点下面的按钮，也可以直接说，比如“{self.example}”。")
        elif before >= 3:
            dispatcher.utter_message(text="说不清楚也没关系。说“找工作人员”，我请社区的人给您打电话。",
                                     buttons=[HANDOFF_BUTTON])
        return []

    @abstractmethod
    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Utter the question for this slot."""

    def understood(self, tracker: Tracker) -> str:
        """What the form already knows, said back before its first question (empty: nothing to say)."""
        return ""
