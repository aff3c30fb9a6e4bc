"""Conversation basics: greeting, repeating, speaking slower or louder, not understanding."""
from __future__ import annotations

import datetime as dt
import logging
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.alerts import open_handoff
from actions.bookings.price_asked import price_of_booking_just_made
from actions.db.models import Alert, Resident
from actions.family_messages.actions import heard_sentences
from actions.family_messages.store import take_unheard
from actions.guarded import GuardedAction
from actions.inbox import take_unread
from actions.policies.actions import names_a_policy
from actions.residents import MAX_VOLUME, MIN_RATE_FACTOR, load_resident, louder, slower, title_for, view_of
from actions.safety.records import add_words
from actions.stuck import offer_person_if_stuck
from actions.tracker_utils import consecutive_fallbacks, last_answer, resident_id
from bot.kernel.clock import local_now, local_today, utc_now
from bot.kernel.contract import speech_profile_message

logger = logging.getLogger(__name__)

INPUT_PROBLEM_RESPONSES = {
    "input:empty": "utter_input_empty",
    "input:too_long": "utter_input_too_long",
    "input:not_chinese": "utter_input_not_chinese",
}


def daypart(now: dt.datetime) -> str:
    hour = now.hour
    if hour < 11:
        return "早上"
    if hour < 13:
        return "中午"
    if hour < 18:
        return "下午"
    return "晚上"


def tell_news(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Notices waiting for the resident (a visit confirmed, a booking cancelled …), said once, to them only."""
    rid = resident_id(tracker)
    if rid is None or tracker.get_slot("actor_role") != "resident":
        return
    with runtime.sessions().begin() as session:
        news = take_unread(session, rid)
    if news:
        dispatcher.utter_message(text="告诉您一件事：" + "".join(news) if len(news) == 1
                                 else f"有{len(news)}件事告诉您：" + "".join(news))
    tell_family_messages(dispatcher, tracker, rid)


def tell_family_messages(dispatcher: CollectingDispatcher, tracker: Tracker, rid: int) -> None:
    """Words a relative left that the home kiosk could not say yet (or a community kiosk): said now, once."""
    settings = runtime.settings()
    with runtime.sessions().begin() as session:
        heard = take_unheard(session, rid, utc_now(settings))
        resident = session.get(Resident, rid) if heard else None
        title = title_for(resident, local_now(settings).date()) if resident else "您"
    if heard:
        dispatcher.utter_message(text=heard_sentences(heard, title))


class ActionGreet(GuardedAction):
    """Greets by name and time of day when the speaker is known."""

    def name(self) -> Text:
        return "action_greet"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        rid = resident_id(tracker)
        if rid is not None and tracker.get_slot("actor_role") == "family":
            dispatcher.utter_message(response="utter_greet_family", resident_name=tracker.get_slot("resident_name"))
            return []
        if rid is not None:
            with runtime.sessions()() as session:
                resident = load_resident(session, rid)
                title = view_of(resident, local_today(runtime.settings())).title if resident else None
            if title:
                dispatcher.utter_message(response="utter_greet_named", title=title,
                                         daypart=daypart(local_now(runtime.settings())))
                tell_news(dispatcher, tracker)
                return []
        if tracker.get_slot("kiosk_mode") == "community" and not tracker.get_slot("identified"):
            # The identification form asks "请问您叫什么名字？" next: one question at a time.
            dispatcher.utter_message(response="utter_greet_before_name")
            return []
        dispatcher.utter_message(response="utter_greet")
        return []


def _say_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say the last answer again; inside a form the form itself asks its question again."""
    if tracker.active_loop_name:
        return True
    answer = last_answer(tracker)
    for event in answer:
        data = event.get("data") or {}
        dispatcher.utter_message(text=event.get("text"), buttons=data.get("buttons") or [])
    return bool(answer)


class ActionRepeat(GuardedAction):
    """Says the last real answer again, word for word."""

    def name(self) -> Text:
        return "action_repeat"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not _say_again(dispatcher, tracker):
            dispatcher.utter_message(response="utter_nothing_to_repeat")
        offer_person_if_stuck(dispatcher, tracker)
        return []


class ActionOutOfScope(GuardedAction):
    """Something the assistant does not do: say so with the main choices; a person when it keeps happening."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        price = price_of_booking_just_made(tracker)
        if price:
            dispatcher.utter_message(text=price)  # "明天好多钱嘛" right after a booking
            return []
        if not offer_person_if_stuck(dispatcher, tracker):
            dispatcher.utter_message(response="utter_out_of_scope")
        return []


def _store_speech(rid: int | None, rate_factor: float | None = None, volume: float | None = None) -> None:
    if rid is None:
        return
    with runtime.sessions().begin() as session:
        resident = session.get(Resident, rid)
        if resident is None:
            return
        if rate_factor is not None:
            resident.speech_rate_factor = rate_factor
        if volume is not None:
            resident.speech_volume = volume


class ActionSpeakSlower(GuardedAction):
    """Slows speech for this resident (remembered on the profile), then repeats the last answer."""

    def name(self) -> Text:
        return "action_speak_slower"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        current = float(tracker.get_slot("speech_rate_factor") or 1.0)
        volume = float(tracker.get_slot("speech_volume") or runtime.settings().speech_volume)
        if current <= MIN_RATE_FACTOR:
            dispatcher.utter_message(response="utter_slowest_already")
            return []
        new = slower(current)
        _store_speech(resident_id(tracker), rate_factor=new)
        dispatcher.utter_message(json_message=speech_profile_message(new, volume))
        dispatcher.utter_message(response="utter_speak_slower")
        _say_again(dispatcher, tracker)
        return [SlotSet("speech_rate_factor", new)]


class ActionSpeakLouder(GuardedAction):
    """Raises the volume for this resident (remembered on the profile), then repeats the last answer."""

    def name(self) -> Text:
        return "action_speak_louder"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        rate = float(tracker.get_slot("speech_rate_factor") or 1.0)
        current = float(tracker.get_slot("speech_volume") or runtime.settings().speech_volume)
        if current >= MAX_VOLUME:
            dispatcher.utter_message(response="utter_loudest_already")
            return []
        new = louder(current)
        _store_speech(resident_id(tracker), volume=new)
        dispatcher.utter_message(json_message=speech_profile_message(rate, new))
        dispatcher.utter_message(response="utter_speak_louder")
        _say_again(dispatcher, tracker)
        return [SlotSet("speech_volume", new)]


def open_alert_here(tracker: Tracker) -> int | None:
    """The id of this conversation's alert while staff have not closed it (None otherwise)."""
    try:
        alert_id = int(tracker.get_slot("alert_id") or 0)
    except (TypeError, ValueError):
        return None
    if not alert_id:
        return None
    with runtime.sessions()() as session:
        alert = session.get(Alert, alert_id)
        return alert_id if alert is not None and alert.status in ("open", "acknowledged") else None


class ActionFallback(GuardedAction):
    """Two stages: first offer the main choices, then bring in a person."""

    def name(self) -> Text:
        return "action_fallback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reason = tracker.latest_message.get("safety_net") or ""
        said = (tracker.latest_message.get("text") or "").strip()
        alert_id = open_alert_here(tracker)
        if alert_id is not None and said and not reason.startswith("input:"):
            # Help is on its way: whatever else is said ("我闺女一会儿就到") is for the staff coming, not a failure.
            add_words(alert_id, said, "")
            dispatcher.utter_message(response="utter_alert_noted", said=said[:60])
            dispatcher.utter_message(response="utter_alert_settled_open")
            return []
        if reason == "input:hesitation":
            # Waited through patiently; a third turn in a row that does not get through brings a person.
            if not offer_person_if_stuck(dispatcher, tracker):
                dispatcher.utter_message(response="utter_input_hesitation")
            return []
        if reason in INPUT_PROBLEM_RESPONSES:
            dispatcher.utter_message(response=INPUT_PROBLEM_RESPONSES[reason])
            return []
        if not tracker.active_loop_name and names_a_policy(tracker.latest_message.get("text") or ""):
            return [FollowupAction("action_answer_policy")]  # "底保": a policy's name, heard alike
        settings = runtime.settings()
        misses = consecutive_fallbacks(tracker)
        if misses < 2:
            # Inside a task the task's own question follows: offer no other choices.
            dispatcher.utter_message(response="utter_fallback_in_task" if tracker.active_loop_name
                                     else "utter_fallback_first")
            return []
        if misses == 2:
            open_handoff(tracker, reason="not_understood")
        dispatcher.utter_message(response="utter_fallback_handoff", community_phone=settings.community_phone,
                                 hotline=settings.hotline)
        return []
