"""A person for someone who is not getting through, whatever the classifier thought of their words."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.alerts import open_handoff
from actions.tracker_utils import consecutive_fallbacks

STUCK_TURNS = 3  # turns in a row that did not get through, whatever the classifier thought of them


def offer_person_if_stuck(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After three turns in a row that did not get through (not understood, repeated, out of scope,
    a guess), bring in a person: a call-back request for staff and the phone numbers."""
    misses = consecutive_fallbacks(tracker)
    if misses < STUCK_TURNS:
        return False
    if misses == STUCK_TURNS:
        open_handoff(tracker, reason="not_understood")
    settings = runtime.settings()
    dispatcher.utter_message(response="utter_fallback_handoff", community_phone=settings.community_phone,
                             hotline=settings.hotline)
    return True
