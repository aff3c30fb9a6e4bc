"""Who is speaking: session start from channel metadata, and the community-kiosk check."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import identify_limits, runtime
from actions.audit import record
from actions.guarded import GuardedAction, GuardedFormValidation
from actions.inbox import take_unread
from actions.residents import (
    clean_spoken_name,
    find_by_name,
    is_linked,
    load_resident,
    short_address,
    spoken_digits,
    title_for,
    view_of,
)
from actions.safety.place import UNVERIFIED
from actions.tracker_utils import channel_verified, message_metadata
from bot.kernel.clock import local_today
from bot.kernel.contract import speech_profile_message

logger = logging.getLogger(__name__)

MAX_IDENTIFY_ATTEMPTS = 3
LOCKED_ATTEMPTS = 10  # the slot's maximum: the kiosk's or a resident's limit was reached
# Tasks that need to know who is speaking: what runs once they are known, and how it is named.
RESUMABLE_TASKS = {
    "book_meal": ("meal_booking_form", "订餐"),
    "book_service": ("service_booking_form", "约上门服务"),
    "cancel_booking": ("cancel_booking_form", "取消预订"),
    "check_bookings": ("action_check_bookings", "查预订"),
    "family_link_code": ("action_family_link_code", "生成家属绑定码"),
    "signup_activity": ("action_activity_signup", "报名活动"),
    "cancel_activity": ("action_activity_cancel", "取消活动报名"),
}
# Tasks whose form reads details said right after the identification ("一份，送到家").
DETAIL_TASKS = ("book_meal", "book_service")
UNVERIFIED_LOCATION = UNVERIFIED
# Not a name: a yes or a sound made while listening.
_NO_NAME = re.compile(r"^(嗯+|啊+|哦+|呃+|额+|对|是|是的|好|好的|行|中|可以|在|喂+|你好|您好)$")
_NAME_GIVEN = re.compile(r"^(我叫|我是|俺叫|俺是|我姓|名字叫|我的名字是)")
SAY_YOUR_NAME = "请告诉我您的名字，比如说“我叫张桂英”。"
# Said without a response in the domain, so no retraining is needed for these safety answers.
NOT_HERE = "这里不能确认您是谁，这件事办不了。请到社区的小暖机器上办，或者打社区电话{community_phone}。"
LOCKED_OUT = ("为了安全，这台机器暂时不能确认身份，我已经告诉社区工作人员了。"
              "需要办事请找工作人员，或者打社区电话{community_phone}。")
IDENTIFY_SLOTS = ("identify_name", "identify_phone4", "identify_confirmed",
                  "identify_candidate_id", "identify_candidate_desc")


def _on_telegram(tracker: Tracker) -> bool:
    return tracker.get_slot("channel") == "telegram"


def _can_identify(tracker: Tracker) -> bool:
    """Only a kiosk that presented the channel secret runs the name-and-digits check."""
    return channel_verified(tracker) and tracker.get_slot("channel") == "kiosk"


def _identity_slots(metadata, today: dt.date, verified: bool = True) -> List[EventType]:
    """Slots for the person the metadata names, checked against the database.

    The place comes from the kiosk's configuration (its verified metadata), never from what a caller
    without the secret claims.
    """
    settings = runtime.settings()
    location = (metadata.location or settings.kiosk_location) if verified else UNVERIFIED_LOCATION
    events: List[EventType] = [
        SlotSet("channel", metadata.channel),
        SlotSet("location", location),
        # A phone is personal: Telegram never asks "who is speaking" like a shared kiosk does.
        SlotSet("kiosk_mode", metadata.kiosk_mode
                or ("home" if metadata.resident_id or metadata.channel == "telegram" else "community")),
        SlotSet("actor_role", metadata.role),
    ]
    if metadata.resident_id is None:
        return events + [SlotSet("identified", False)]
    with runtime.sessions()() as session:
        resident = load_resident(session, metadata.resident_id)
        if resident is None:
            logger.warning("metadata names unknown resident %s", metadata.resident_id)
            return events + [SlotSet("identified", False)]
        if metadata.role == "family" and not is_linked(session, metadata.family_member_id, resident.id):
            logger.warning("family member %s is not linked to resident %s",
                           metadata.family_member_id, resident.id)
            return events + [SlotSet("actor_role", "anonymous"), SlotSet("identified", False)]
        view = view_of(resident, today)
    events += [
        SlotSet("resident_id", str(view.id)),
        SlotSet("resident_name", view.name),
        SlotSet("identified", True),
        SlotSet("speech_rate_factor", view.speech_rate_factor),
    ]
    if view.speech_volume is not None:
        events.append(SlotSet("speech_volume", view.speech_volume))
    if metadata.family_member_id is not None:
        events.append(SlotSet("family_member_id", str(metadata.family_member_id)))
    return events


class ActionSessionStart(GuardedAction):
    """Starts a session with the speaker's identity taken from the channel's metadata."""

    def name(self) -> Text:
        return "action_session_start"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        metadata = message_metadata(tracker)
        events: List[EventType] = [SessionStarted()]
        events += _identity_slots(metadata, local_today(runtime.settings()), channel_verified(tracker))
        rate = next((e["value"] for e in events if e.get("name") == "speech_rate_factor"), 1.0)
        volume = next((e["value"] for e in events if e.get("name") == "speech_volume"),
                      runtime.settings().speech_volume)
        dispatcher.utter_message(json_message=speech_profile_message(rate, volume))
        events.append(ActionExecuted("action_listen"))
        return events


class ValidateIdentifyForm(GuardedFormValidation):
    """Community kiosk: name, last four phone digits, then a confirmation."""

    def name(self) -> Text:
        return "validate_identify_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if (tracker.get_slot("identify_attempts") or 0) >= MAX_IDENTIFY_ATTEMPTS or not _can_identify(tracker):
            return []  # Telegram, a web caller: a name and phone digits are no proof there
        return domain_slots

    def _failed(self, tracker: Tracker, response: str, dispatcher: CollectingDispatcher,
                keep: Optional[Dict[Text, Any]] = None) -> Dict[Text, Any]:
        dispatcher.utter_message(response=response)
        slots: Dict[Text, Any] = {name: None for name in IDENTIFY_SLOTS}
        slots.update(keep or {})
        slots["identify_attempts"] = (tracker.get_slot("identify_attempts") or 0) + 1
        return slots

    def _locked_out(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        dispatcher.utter_message(text=LOCKED_OUT.format(community_phone=runtime.settings().community_phone))
        slots: Dict[Text, Any] = {name: None for name in IDENTIFY_SLOTS}
        slots["identify_attempts"] = LOCKED_ATTEMPTS
        return slots

    def validate_identify_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        # Any name is taken here: whether it is a resident's is told by nothing the kiosk says.
        name = clean_spoken_name(str(value or ""))
        if _NO_NAME.match(re.sub(r"[\s，。！？,.!?…~]", "", str(value or ""))):
            # "嗯", "对", "啊": heard the question, no name yet; asked again, not counted as a wrong answer.
            dispatcher.utter_message(text=SAY_YOUR_NAME)
            return {"identify_name": None}
        if not name:
            return self._failed(tracker, "utter_identify_name_unknown", dispatcher)
        if identify_limits.locked(identify_limits.kiosk_key(tracker.get_slot("location"))):
            return self._locked_out(tracker, dispatcher)
        return {"identify_name": name}

    def validate_identify_phone4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        digits = spoken_digits(str(value or ""))
        name = tracker.get_slot("identify_name")
        corrected = _NAME_GIVEN.match(str(value or "").strip())
        if not digits and corrected and clean_spoken_name(str(value)):
            # "我叫王建国" when the digits are asked: the name said before was not the name; start from this one.
            return {"identify_name": clean_spoken_name(str(value)), "identify_phone4": None}
        if len(digits) < 4:
            return self._failed(tracker, "utter_identify_phone_mismatch", dispatcher, keep={"identify_name": name})
        kiosk = identify_limits.kiosk_key(tracker.get_slot("location"))
        with runtime.sessions()() as session:
            named = find_by_name(session, name)
            named_ids = [r.id for r in named]
            matches = [r for r in named if r.phone.endswith(digits[-4:])]
            resident = matches[0] if len(matches) == 1 else None
            description = (f"住在{short_address(resident.address)}的{title_for(resident, local_today(runtime.settings()))}"
                           if resident else "")
        if identify_limits.locked(kiosk, named_ids):
            return self._locked_out(tracker, dispatcher)
        if resident is None:
            if identify_limits.record_failure(kiosk, tracker.sender_id, "kiosk", named_ids):
                return self._locked_out(tracker, dispatcher)
            return self._failed(tracker, "utter_identify_phone_mismatch", dispatcher, keep={"identify_name": name})
        return {"identify_phone4": digits[-4:], "identify_candidate_id": str(resident.id),
                "identify_candidate_desc": description}

    async def extract_identify_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        """"您是…张奶奶，对吗？" answered by going on with the booking asked for ("一份，送到家"): no
        objection, and the details are the task's, so it counts as yes; the task then reads those words."""
        if tracker.get_slot("requested_slot") != "identify_confirmed":
            return {}
        task = tracker.get_slot("pending_task")
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if task in DETAIL_TASKS and intent in ("inform", task) and message.get("entities"):
            return {"identify_confirmed": True}
        return {}

    def validate_identify_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        if value is True:
            return {"identify_confirmed": True}
        return self._failed(tracker, "utter_identify_retry", dispatcher)


class ActionIdentifyDone(GuardedAction):
    """After the identification form: adopt the confirmed resident, or carry on anonymously."""

    def name(self) -> Text:
        return "action_identify_done"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        candidate = tracker.get_slot("identify_candidate_id")
        resets = [SlotSet(name, None) for name in IDENTIFY_SLOTS] + [SlotSet("identify_attempts", 0)]
        if _on_telegram(tracker):
            return resets + [SlotSet("pending_task", None)]  # the link was explained already
        if not _can_identify(tracker):  # a web caller: no identification, said once if a task needed it
            if tracker.get_slot("pending_task"):
                dispatcher.utter_message(text=NOT_HERE.format(community_phone=runtime.settings().community_phone))
            return resets + [SlotSet("pending_task", None)]
        if (tracker.get_slot("identify_attempts") or 0) >= LOCKED_ATTEMPTS:
            return resets + [SlotSet("pending_task", None)]  # the lock-out answer said what to do next
        if not (tracker.get_slot("identify_confirmed") and candidate):
            dispatcher.utter_message(response="utter_identify_give_up")
            return resets + [SlotSet("pending_task", None)]
        with runtime.sessions()() as session:
            resident = load_resident(session, int(candidate))
            if resident is None:
                dispatcher.utter_message(response="utter_identify_give_up")
                return resets
            view = view_of(resident, local_today(runtime.settings()))
        record(actor=f"resident:{view.id}", action="identified_at_kiosk", target=f"resident:{view.id}",
               detail=tracker.sender_id)
        dispatcher.utter_message(json_message=speech_profile_message(
            view.speech_rate_factor, view.speech_volume or runtime.settings().speech_volume))
        pending = tracker.get_slot("pending_task")
        events: List[EventType] = [SlotSet("pending_task", None)]
        if pending in RESUMABLE_TASKS:
            dispatcher.utter_message(response="utter_identify_done_resume", title=view.title,
                                     task=RESUMABLE_TASKS[pending][1])
            events.append(FollowupAction(RESUMABLE_TASKS[pending][0]))
        else:
            dispatcher.utter_message(response="utter_identify_done", title=view.title)
        with runtime.sessions().begin() as session:
            news = take_unread(session, view.id)
        if news:
            dispatcher.utter_message(text="告诉您一件事：" + "".join(news))
        return events + resets + [
            SlotSet("resident_id", str(view.id)),
            SlotSet("resident_name", view.name),
            SlotSet("actor_role", "resident"),
            SlotSet("identified", True),
            SlotSet("speech_rate_factor", view.speech_rate_factor),
        ]


class ActionIdentifyStop(GuardedAction):
    """The speaker does not want to say who they are: stop asking."""

    def name(self) -> Text:
        return "action_identify_stop"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_identify_give_up")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("pending_task", None)] + \
            [SlotSet(n, None) for n in IDENTIFY_SLOTS]


class ActionIdentifyFirst(GuardedAction):
    """A task that needs to know the resident: say so, remember the task, then the identification form asks."""

    def name(self) -> Text:
        return "action_identify_first"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _on_telegram(tracker):
            dispatcher.utter_message(response="utter_link_needed")
            return [SlotSet("pending_task", None)]
        if not _can_identify(tracker):
            return [SlotSet("pending_task", "web")]  # the form ends at once; action_identify_done says why
        dispatcher.utter_message(response="utter_identify_first")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # What was asked ("我想订明天的午饭") is kept, so the task goes on from it once they are known.
        request = {"text": tracker.latest_message.get("text") or "",
                   "entities": tracker.latest_message.get("entities") or []}
        return [SlotSet("pending_task", intent if intent in RESUMABLE_TASKS else None),
                SlotSet("pending_request", json.dumps(request, ensure_ascii=False)[:4000])]
