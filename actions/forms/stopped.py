"""The end of a booking form that the person stopped ("算了，不订了"): the form rejects the turn, a
rule runs this instead of the booking action, nothing is written and the form's answers are forgotten."""
from __future__ import annotations

from typing import List, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guarded import GuardedAction


class FormStopped(GuardedAction):
    """Says nothing was booked and ends the form (abstract: a subclass names its form's state)."""

    state: Tuple[str, ...] = ()
    not_booked = ""  # the response that says so
    not_booked_text = ""  # or its words

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if self.not_booked:
            dispatcher.utter_message(response=self.not_booked)
        else:
            dispatcher.utter_message(text=self.not_booked_text)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(slot, None) for slot in self.state]
