"""Activities in speech: what is on, signing up with the read-back, cancelling a place."""
from __future__ import annotations

import json
from typing import Any, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.activities import store
from actions.activities.phrases import line, places_left, read_back
from actions.activities.words import spoken_kind, wanted_words
from actions.context import task_context
from actions.db.models import Activity, Resident
from actions.guarded import GuardedAction
from actions.tracker_utils import latest_intent, latest_message_id
from bot.kernel.contract import button

NONE_SOON = "最近两个星期还没有安排活动。有了新活动，我第一时间告诉您。"
PROBLEM_WORDS = {
    store.Problem.FULL: "真不巧，{title}的名额已经满了。",
    store.Problem.PAST: "{title}已经开始或者过去了，报不了了。",
    store.Problem.CLOSED: "{title}取消了，报不了了。",
    store.Problem.ALREADY: "您已经报上{title}了，不用再报。",
    store.Problem.UNKNOWN: "这个活动我没找到。",
}


def _said(tracker: Tracker) -> str:
    """The words of the request: the latest message, or the one kept while asking who is speaking."""
    text = tracker.latest_message.get("text") or ""
    if wanted_words(text) or latest_intent(tracker) in ("signup_activity", "cancel_activity"):
        return text
    try:
        kept = json.loads(tracker.get_slot("pending_request") or "{}")
    except ValueError:
        kept = {}
    return str(kept.get("text") or text)


def _entity_id(tracker: Tracker) -> Optional[int]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "activity_id":
            try:
                return int(entity.get("value"))
            except (TypeError, ValueError):
                return None
    return None


def _answered_before(tracker: Tracker) -> Optional[str]:
    """The last action that answered the turn before this one."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in (
                "action_listen", "action_session_start"):
            return event.get("name")
    return None


def _signup_buttons(activities: List[Activity]) -> List[dict]:
    return [button(f"报名{a.title}", "signup_activity", activity_id=str(a.id)) for a in activities[:3]]


class ActionAnswerActivities(GuardedAction):
    """"最近有义诊吗", "老年大学什么时候开课": the activities to come, with a button to sign up."""

    def name(self) -> Text:
        return "action_answer_activities"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        text = tracker.latest_message.get("text") or ""
        words, kind = wanted_words(text), spoken_kind(text)
        if not words and "活动" not in text and _answered_before(tracker) == "action_answer_policy":
            # "从啥时候开始发" right after a policy answer asks about that policy, not about activities.
            return [FollowupAction("action_answer_policy")]
        with runtime.sessions()() as session:
            found = store.upcoming(session, context.now, words, limit=3)
            others = [] if found or not words else store.upcoming(session, context.now, (), limit=3)
            if found:
                lines = "；".join(f"{line(a)}，{places_left(a)}" for a in found)
                dispatcher.utter_message(text=f"最近有：{lines}。想去的话，我帮您报名。", buttons=_signup_buttons(found))
                return [SlotSet("activity_offered", str(found[0].id))]
            if others:
                lines = "；".join(line(a) for a in others)
                dispatcher.utter_message(text=f"最近没有安排{kind}。别的活动有：{lines}。想去的话，我帮您报名。",
                                         buttons=_signup_buttons(others))
                return [SlotSet("activity_offered", None)]
        dispatcher.utter_message(text=NONE_SOON)
        return [SlotSet("activity_offered", None)]


class ActionActivitySignup(GuardedAction):
    """"给我报个名": which activity, then the read-back; nothing is written before yes."""

    def name(self) -> Text:
        return "action_activity_signup"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.resident_id is None:
            dispatcher.utter_message(text="报名要先知道您是谁。请说“我是某某”，或者到社区服务中心报名。")
            return []
        text = _said(tracker)
        chosen_id = _entity_id(tracker)
        with runtime.sessions()() as session:
            if chosen_id is None:
                words = wanted_words(text)
                candidates = store.upcoming(session, context.now, words, limit=3) if words else []
                offered = tracker.get_slot("activity_offered")
                if len(candidates) == 1:
                    chosen_id = candidates[0].id
                elif not words and offered:
                    chosen_id = int(offered)
                else:
                    listed = candidates or store.upcoming(session, context.now, (), limit=3)
                    if not listed:
                        dispatcher.utter_message(text=NONE_SOON)
                        return []
                    dispatcher.utter_message(text="您想报哪个活动？" + "；".join(line(a) for a in listed) + "。",
                                             buttons=_signup_buttons(listed))
                    return [SlotSet("activity_pending", None)]
            activity = session.get(Activity, chosen_id)
            problem = _problem(session, activity, context)
            if problem is not None:
                title = activity.title if activity else ""
                dispatcher.utter_message(text=PROBLEM_WORDS[problem].format(title=title))
                return [SlotSet("activity_pending", None)]
            resident = session.get(Resident, context.resident_id)
            whose = resident.name if context.is_family and resident else "您"
            dispatcher.utter_message(text=read_back(activity, whose),
                                     buttons=[button("对", "affirm"), button("不对", "deny")])
        return [SlotSet("activity_pending", f"signup:{chosen_id}")]


def _problem(session: Any, activity: Optional[Activity], context: Any) -> Optional[store.Problem]:
    from sqlalchemy import select

    from actions.db.models import ActivitySignup

    if activity is None:
        return store.Problem.UNKNOWN
    if activity.status != "open":
        return store.Problem.CLOSED
    if activity.starts_at <= context.now:
        return store.Problem.PAST
    mine = session.scalar(select(ActivitySignup.status).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.resident_id == context.resident_id))
    if mine == "booked":
        return store.Problem.ALREADY
    if activity.booked >= activity.capacity:
        return store.Problem.FULL
    return None


class ActionActivityCancel(GuardedAction):
    """"义诊我不去了": which place, then the read-back."""

    def name(self) -> Text:
        return "action_activity_cancel"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.resident_id is None:
            dispatcher.utter_message(text="取消报名要先知道您是谁。请说“我是某某”。")
            return []
        words = wanted_words(_said(tracker))
        with runtime.sessions()() as session:
            mine = store.signups_of(session, context.resident_id, context.now)
            if words:
                mine = [(s, a) for s, a in mine if any(w in a.title or w in (a.kind or "") for w in words)]
            if not mine:
                dispatcher.utter_message(text="您现在没有报名要去的活动。")
                return [SlotSet("activity_pending", None)]
            if len(mine) > 1:
                names = "；".join(line(a) for _, a in mine[:3])
                dispatcher.utter_message(text=f"您报了这几个：{names}。要取消哪个？",
                                         buttons=[button(f"取消{a.title}", "cancel_activity", activity_id=str(a.id))
                                                  for _, a in mine[:3]])
                return [SlotSet("activity_pending", None)]
            signup, activity = mine[0]
            chosen = _entity_id(tracker)
            if chosen is not None and chosen != activity.id:
                dispatcher.utter_message(text="这个活动您没有报名。")
                return [SlotSet("activity_pending", None)]
            dispatcher.utter_message(text=f"我念一下：取消{line(activity)}的报名。对吗？",
                                     buttons=[button("对", "affirm"), button("不对", "deny")])
        return [SlotSet("activity_pending", f"cancel:{signup.id}")]


class ActionActivityConfirm(GuardedAction):
    """The yes or no after a read-back: only yes signs up or cancels."""

    def name(self) -> Text:
        return "action_activity_confirm"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        pending = tracker.get_slot("activity_pending") or ""
        what, _, number = pending.partition(":")
        if latest_intent(tracker) != "affirm" or not number.isdigit() or context.resident_id is None:
            dispatcher.utter_message(text="好的，那就先不办了。" if what == "signup" else "好的，报名还给您留着。")
            return [SlotSet("activity_pending", None)]
        sessions = runtime.sessions()
        if what == "signup":
            result = store.sign_up(sessions, int(number), context.resident_id, context.actor, context.now,
                                   message_id=latest_message_id(tracker))
            with sessions() as session:
                activity = session.get(Activity, int(number))
                title = activity.title if activity else ""
                said = line(activity) if activity else ""
            if result.ok and context.is_family:
                dispatcher.utter_message(text=f"报好名了：{said}。前一天小暖会在家里提醒老人。去不了的话，跟我说“取消报名”就行。")
            elif result.ok:
                dispatcher.utter_message(text=f"报好名了：{said}。前一天我会提醒您。不想去了，跟我说“取消报名”就行。")
            else:
                dispatcher.utter_message(text=PROBLEM_WORDS[result.problem].format(title=title))
        else:
            problem = store.cancel(sessions, int(number), context.actor, context.now)
            if problem is None:
                dispatcher.utter_message(text="取消好了，名额让给别人了。")
            else:
                dispatcher.utter_message(text="活动已经开始了，取消不了了。")
        return [SlotSet("activity_pending", None)]
