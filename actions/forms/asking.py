"""A form's question for one slot, skipped when an alternative was just offered (that is the question)."""
from __future__ import annotations

import datetime as dt
import json
from abc import abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guarded import GuardedAction


def offer_made_this_turn(tracker: Tracker, offer_slot: str) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == offer_slot and event.get("value"):
            return True
    return False


def inform_payload(**entities: Any) -> str:
    """A button payload that fills entities without going through the language model."""
    return "/inform" + json.dumps(entities, ensure_ascii=False)


def day_buttons(today: dt.date) -> List[Dict[str, str]]:
    """明天 and 后天 as buttons: the days most often meant."""
    return [{"title": word, "payload": inform_payload(date=(today + dt.timedelta(days=ahead)).isoformat())}
            for word, ahead in (("明天", 1), ("后天", 2))]


class AskSlot(GuardedAction):
    slot = ""
    offer_slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not offer_made_this_turn(tracker, self.offer_slot):
            self.ask(dispatcher, tracker)
        return []

    @abstractmethod
    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Utter the question for this slot."""
