"""Drives a form's validation and question actions turn by turn, as the Rasa server would.

The real actions run against the real domain and database; only the Rasa
server's part (choosing the next slot, keeping slots) is done here.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.conftest import user_event

STOP_INTENTS = ("deny", "cancel_booking")  # a rejected one of these ends the form by a rule
HOME_SLOTS = {"resident_id": "1", "resident_name": "张桂英", "identified": True, "channel": "kiosk",
              "actor_role": "resident", "kiosk_mode": "home"}


class FormDriver:
    def __init__(self, form: str, validator: Action, askers: Dict[str, Action], submit: Action,
                 required: tuple, domain: Dict[str, Any], slots: Optional[Dict[str, Any]] = None,
                 stopped: Optional[Action] = None) -> None:
        self.form, self.validator, self.askers, self.submit, self.required = form, validator, askers, submit, required
        self.stopped = stopped  # what the rules run when the form rejects a stop ("算了，不订了")
        self.domain = domain
        self.slots: Dict[str, Any] = dict(slots or HOME_SLOTS)
        self.active = False
        self.events: List[Dict[str, Any]] = []
        self.done = False

    def _tracker(self, extra: List[Dict[str, Any]]) -> Tracker:
        latest = next(e["parse_data"] for e in reversed(self.events) if e["event"] == "user")
        return Tracker.from_dict({
            "sender_id": "form-test", "slots": dict(self.slots), "latest_message": latest,
            "events": self.events + extra, "paused": False, "followup_action": None,
            # Rasa marks the loop active before the validation at activation runs.
            "active_loop": {"name": self.form}, "latest_action_name": "action_listen"})

    async def say(self, text: str, intent: str, entities: Optional[list] = None,
                  message_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """One user turn; returns what the assistant said (texts and responses)."""
        event = user_event(text, intent, entities=entities or [])
        event["message_id"] = message_id
        self.events.append(event)
        dispatcher = CollectingDispatcher()
        returned = await self.validator.run(dispatcher, self._tracker([]), self.domain)
        slot_events = [e for e in returned if e.get("event") == "slot"]
        if not slot_events and self.active:
            if self.stopped is not None and intent in STOP_INTENTS:
                for e in await self.stopped.run(dispatcher, self._tracker([]), self.domain):
                    if e.get("event") == "slot":
                        self.slots[e["name"]] = e["value"]
                self.active, self.done = False, True
                return dispatcher.messages
            return [{"rejected": True}]
        if not self.active:
            self.events.append({"event": "active_loop", "name": self.form})  # as Rasa logs the activation
        self.active = True
        for e in slot_events:
            self.slots[e["name"]] = e["value"]
        self.events += slot_events
        requested = next((e["value"] for e in reversed(slot_events) if e["name"] == "requested_slot"), "unset")
        if requested == "unset":
            requested = next((slot for slot in self.required if self.slots.get(slot) is None), None)
        self.slots["requested_slot"] = requested
        if requested is None:
            self.active = False
            self.done = True
            for e in await self.submit.run(dispatcher, self._tracker([]), self.domain):
                if e.get("event") == "slot":
                    self.slots[e["name"]] = e["value"]
        else:
            await self.askers[requested].run(dispatcher, self._tracker([]), self.domain)
            self.events.append({"event": "action", "name": self.askers[requested].name()})
        self.events += [{"event": "bot", "text": m.get("text"), "data": {}} for m in dispatcher.messages]
        return dispatcher.messages


def said(messages: List[Dict[str, Any]]) -> str:
    """All text and response names of a turn, for assertions."""
    return " | ".join(m.get("text") or m.get("response") or "" for m in messages)
