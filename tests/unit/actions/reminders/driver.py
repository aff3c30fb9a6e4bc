"""Drives the reminder actions turn by turn, carrying their slots like the core does."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk.executor import CollectingDispatcher

from actions.reminders.actions import (
    ActionReminderAnswer,
    ActionReminderChange,
    ActionReminderDue,
    ActionReminderList,
    ActionReminderReply,
    ActionReminderSet,
    ActionReminderStop,
)
from tests.conftest import make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS

FAMILY_SLOTS = {"resident_id": "1", "channel": "telegram", "actor_role": "family", "family_member_id": "1"}
ACTIONS = {"set_reminder": ActionReminderSet, "list_reminders": ActionReminderList,
           "stop_reminder": ActionReminderStop, "change_reminder": ActionReminderChange,
           "reminder_due": ActionReminderDue, "reminder_done": ActionReminderAnswer,
           "reminder_later": ActionReminderAnswer, "reminder_skip": ActionReminderAnswer}
ASKING = ("action_reminder_set", "action_reminder_reply", "action_reminder_stop", "action_reminder_change")


class Talk:
    """One conversation: what the rules would run for each turn (docs in nlu_data/rules/reminders.yml)."""

    def __init__(self, domain: Dict[str, Any], slots: Optional[Dict[str, Any]] = None) -> None:
        self.domain = domain
        self.slots: Dict[str, Any] = dict(slots or HOME_SLOTS)
        self.last_action = ""

    async def say(self, text: str, intent: str, **entities: Any) -> List[Dict[str, Any]]:
        extra = {"entities": [{"entity": k, "value": v} for k, v in entities.items()]} if entities else {}
        tracker = make_tracker([user_event(text, intent, **extra)], slots=self.slots)
        if intent in ACTIONS:
            action = ACTIONS[intent]()
        elif self.last_action == "action_reminder_due" and intent in ("affirm", "deny"):
            action = ActionReminderAnswer()
        elif self.last_action in ASKING:
            action = ActionReminderReply()
        else:
            raise AssertionError(f"no reminder rule for {intent} after {self.last_action}")
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, self.domain)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.last_action = action.name()
        return dispatcher.messages

    async def text(self, text: str, intent: str, **entities: Any) -> str:
        return "".join(m.get("text") or "" for m in await self.say(text, intent, **entities))
