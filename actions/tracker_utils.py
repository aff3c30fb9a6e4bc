"""Reading the conversation from a rasa_sdk Tracker."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from bot.metadata import ChannelMetadata, MetadataError

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


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user turns in a row were not understood (including the current one)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
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
