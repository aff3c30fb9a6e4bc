"""The daily check-in in the conversation: the question the home kiosk asks, and the answer to it."""
from __future__ import annotations

import logging
from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import runtime
from actions.checkin.store import record_answer, record_try
from actions.checkin.words import mood_of
from actions.conversation import daypart
from actions.db.models import FamilyLink
from actions.guarded import GuardedAction
from actions.residents import load_resident, view_of
from actions.tracker_utils import resident_id
from bot.kernel.clock import local_now, utc_now
from bot.kernel.contract import button
from bot.kernel.words.emergency import match_emergency
from bot.kernel.words.task_cues import danger_in

logger = logging.getLogger(__name__)

FINE_ANSWER = "那就好！今天也记得多喝水。有事随时叫我。"
LOW_ANSWER = "听您这么说，我有点担心。"
LOW_QUESTION_FAMILY = "要请医生上门看看，让家人给您打个电话，还是找工作人员？"
LOW_QUESTION = "要请医生上门看看，还是找工作人员？"
UNCLEAR_ANSWER = "好的，我记下了。哪里不舒服，随时跟我说。"
DOCTOR = button("请医生上门看看", "book_service", service_type="上门护理")
FAMILY = button("让家人给您打电话", "ask_family_call")
STAFF = button("找工作人员", "human_handoff")


def first_question(title: str, part: str) -> str:
    return f"{title}，{part}好！今天身体怎么样？"


def second_question(title: str) -> str:
    return f"{title}，您在家吗？小暖想问问您，今天身体还好吗？"


def _at_home_kiosk(tracker: Tracker) -> bool:
    return tracker.get_slot("kiosk_mode") == "home" and tracker.get_slot("actor_role") in (None, "resident")


def _has_family(rid: int) -> bool:
    with runtime.sessions()() as session:
        return session.scalar(select(FamilyLink.id).where(FamilyLink.resident_id == rid).limit(1)) is not None


class ActionDailyCheckIn(GuardedAction):
    """The home kiosk's own "/daily_check_in": greet by name, ask one question, write the try down."""

    def name(self) -> Text:
        return "action_daily_check_in"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        rid = resident_id(tracker)
        settings = runtime.settings()
        now = local_now(settings)
        if rid is None or not _at_home_kiosk(tracker):
            dispatcher.utter_message(text=f"{daypart(now)}好！今天身体怎么样？")
            return []
        with runtime.sessions().begin() as session:
            resident = load_resident(session, rid)
            title = view_of(resident, now.date()).title if resident else "您"
            tries = record_try(session, rid, now.date(), utc_now(settings)) if resident else 1
        dispatcher.utter_message(text=first_question(title, daypart(now)) if tries <= 1 else second_question(title))
        return []


class ActionCheckInAnswer(GuardedAction):
    """"挺好的" gets a warm short answer; "不太好" one question with at most three kinds of help; danger
    words go to the emergency conversation."""

    def name(self) -> Text:
        return "action_checkin_answer"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if danger_in(text) or match_emergency(text):
            return [FollowupAction("action_emergency")]
        mood = mood_of(text, intent)
        rid = resident_id(tracker)
        if rid is not None and tracker.get_slot("actor_role") in (None, "resident"):
            settings = runtime.settings()
            with runtime.sessions().begin() as session:
                if load_resident(session, rid) is not None:
                    record_answer(session, rid, local_now(settings).date(), text, mood, utc_now(settings))
        if mood == "ok":
            dispatcher.utter_message(text=FINE_ANSWER)
        elif mood == "low":
            family = rid is not None and _has_family(rid)
            buttons: List[Dict[str, str]] = [DOCTOR, FAMILY, STAFF] if family else [DOCTOR, STAFF]
            dispatcher.utter_message(text=LOW_ANSWER + (LOW_QUESTION_FAMILY if family else LOW_QUESTION),
                                     buttons=buttons)
        else:
            dispatcher.utter_message(text=UNCLEAR_ANSWER)
        return []
