"""Reading the conversation from a rasa_sdk Tracker."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from bot.kernel.contract import ChannelMetadata, MetadataError

# Turns whose answers are about the answer itself, not an answer to repeat.
META_INTENTS = frozenset({"repeat", "speak_slower", "speak_louder"})


def resident_id(tracker: Tracker) -> Optional[int]:
    value = tracker.get_slot("resident_id")
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def message_metadata(tracker: Tracker) -> ChannelMetadata:
    """Metadata of the latest message, or an anonymous one when it is missing or malformed."""
    raw = tracker.latest_message.get("metadata") or tracker.get_slot("session_started_metadata")
    try:
        return ChannelMetadata.from_dict(raw or None)
    except MetadataError:
        return ChannelMetadata()


def channel_verified(tracker: Tracker) -> bool:
    """Whether the latest message came with the channel secret (the channel sets this, never the caller)."""
    # At session start the message's metadata is in Rasa's session_started_metadata slot.
    raw = tracker.latest_message.get("metadata") or tracker.get_slot("session_started_metadata") or {}
    return isinstance(raw, dict) and raw.get("verified") is True


def last_answer(tracker: Tracker) -> List[Dict[str, Any]]:
    """The bot messages that answered the latest user turn that was not a repeat/slower/louder."""
    events = tracker.events
    user_positions = [i for i, event in enumerate(events) if event.get("event") == "user"]
    # The newest user event is the current request; look at the turns before it.
    for position_index in range(len(user_positions) - 2, -1, -1):
        start = user_positions[position_index]
        intent = ((events[start].get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in META_INTENTS:
            continue
        end = user_positions[position_index + 1]
        answer = [event for event in events[start + 1:end] if event.get("event") == "bot" and event.get("text")]
        if answer:
            return answer
    return []


# Below this the classifier's choice is a guess: noise often lands just above the fallback threshold.
GUESS_CONFIDENCE = 0.45
NOT_GETTING_THROUGH = frozenset({"nlu_fallback", "out_of_scope", "repeat"})
ALERT_TALK = ("emergency_form", "action_ask_alert_reply", "action_alert_settled", "action_retract_alert")
WHAT_TASK = "utter_ask_what_task"  # a detail with no question asked ("那个，那个嘛"): asked what they want


def _turns_answered_with(tracker: Tracker, *actions: str) -> set:
    """Indexes (among user turns) of the turns the assistant answered with one of `actions`."""
    found, index = set(), -1
    for event in tracker.events:
        if event.get("event") == "user":
            index += 1
        elif event.get("event") == "action" and event.get("name") in actions and index >= 0:
            found.add(index)
    return found


def answered_just_before_with(tracker: Tracker, *actions: str) -> bool:
    """Whether the turn just before the latest one was answered with one of `actions`."""
    users = sum(1 for event in tracker.events if event.get("event") == "user")
    return users >= 2 and (users - 2) in _turns_answered_with(tracker, *actions)


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user turns in a row did not get through (including the current one): not
    understood, a guess, something the assistant does not do, "再说一遍", the same words said again, or a
    detail with no question asked (answered "您想办哪件事？").
    Three in a row reach a person whatever the classifier's confidence."""
    users = [event for event in tracker.events if event.get("event") == "user"]
    asked_what = _turns_answered_with(tracker, WHAT_TASK)
    # Words the emergency conversation took ("腰疼", "能动，就是疼") got through, whatever the classifier said.
    in_alert_talk = _turns_answered_with(tracker, *ALERT_TALK)
    count = 0
    for index in range(len(users) - 1, -1, -1):
        parse = users[index].get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
        text = (users[index].get("text") or "").strip()
        said_again = index > 0 and text and text == (users[index - 1].get("text") or "").strip()
        if intent in ("emergency", "report_danger") or str(text).startswith("/") or index in in_alert_talk:
            break
        if not (intent in NOT_GETTING_THROUGH or confidence < GUESS_CONFIDENCE or said_again or index in asked_what):
            break
        count += 1
    return count


def latest_message_id(tracker: Tracker) -> Optional[str]:
    """The channel's id of the latest message (a retried message carries the same id)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("message_id") or None
    return None


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")

def set_in_previous_answer(tracker: Tracker, slot: str) -> bool:
    """Whether the answer just before the latest message set `slot` (to a true value): a bare yes
    answers only the question asked in the turn just before, never one asked many turns earlier."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                return False
            seen_latest_user = True
        elif seen_latest_user and kind == "slot" and event.get("name") == slot:
            return bool(event.get("value"))
    return False
