"""Reminders in the conversation: set (with the read-back), listed, changed, stopped, said when due, answered.

The request being built lives in the slot `reminder_draft` (JSON): what, when, and what is being asked
now ("what", "time", "confirm"); the rules send the next turn after a reminder question to
`action_reminder_reply`, so a yes confirms only the reminder question just asked.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audit, runtime
from actions.context import TaskContext, task_context
from actions.db.models import Reminder, ReminderOccurrence, Resident
from actions.forms.read_back import corrected_part
from actions.guarded import GuardedAction
from actions.lang.reminders import parse_clock, parse_reminder
from actions.lang.spoken import say_count
from actions.reminders import words
from actions.reminders.adherence import week_of
from actions.reminders.schedule import describe, describe_reminder, hour_minute, to_utc
from actions.reminders.store import (
    SKIPPED,
    TAKEN,
    active_reminders,
    add_reminder,
    answer,
    change_time,
    due_to_say,
    fall_due,
    latest_said,
    mark_said,
    snooze,
    stop_reminder,
)
from actions.residents import title_for
from actions.tracker_utils import latest_intent
from bot.kernel.clock import utc_now
from bot.kernel.contract import button

DRAFT = "reminder_draft"
YES_INTENTS = ("affirm",)
NO_INTENTS = ("deny",)


def _draft(tracker: Tracker) -> Dict[str, Any]:
    try:
        value = json.loads(tracker.get_slot(DRAFT) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _keep(draft: Optional[Dict[str, Any]]) -> List[EventType]:
    return [SlotSet(DRAFT, json.dumps(draft, ensure_ascii=False) if draft else None)]


def _who(context: TaskContext, resident: Optional[Resident]) -> str:
    return (resident.name if resident else "老人") if context.is_family else "您"


def _allowed(dispatcher: CollectingDispatcher, tracker: Tracker, context: TaskContext) -> bool:
    """Residents at their kiosk and linked relatives (the channel checked the link) may set reminders."""
    if context.resident_id is None:
        if tracker.get_slot("actor_role") == "staff":
            dispatcher.utter_message(text=words.FOR_STAFF)
        else:
            dispatcher.utter_message(response="utter_need_resident")
        return False
    return True


def _when(draft: Dict[str, Any], today: dt.date) -> str:
    day = dt.date.fromisoformat(draft["day"]) if draft.get("day") else None
    return describe("", bool(draft.get("daily")), day, draft["hour"], draft["minute"], today)


def _settle_day(draft: Dict[str, Any], now: dt.datetime) -> bool:
    """A one-off reminder without a day: today if the time is still ahead, else tomorrow. False: in the past."""
    if draft.get("daily"):
        return True
    at_time = dt.time(draft["hour"], draft["minute"])
    if not draft.get("day"):
        day = now.date() if dt.datetime.combine(now.date(), at_time) > now else now.date() + dt.timedelta(days=1)
        draft["day"] = day.isoformat()
        return True
    return dt.datetime.combine(dt.date.fromisoformat(draft["day"]), at_time) > now


def _next_question(dispatcher: CollectingDispatcher, context: TaskContext, draft: Dict[str, Any],
                   resident: Optional[Resident]) -> List[EventType]:
    """Ask what is missing, or read the reminder back."""
    who = _who(context, resident)
    if not draft.get("what"):
        draft["asking"] = "what"
        dispatcher.utter_message(text=words.ASK_WHAT.format(who=who))
    elif draft.get("hour") is None:
        draft["asking"] = "time"
        moment = draft.get("needs_time")
        dispatcher.utter_message(text=words.ASK_TIME.format(moment=moment) if moment
                                 else words.ASK_TIME_PLAIN.format(who=who))
    elif not _settle_day(draft, context.now):
        draft["asking"] = "time"
        draft["day"] = None
        dispatcher.utter_message(text=words.PAST)
    else:
        draft["asking"] = "confirm"
        dispatcher.utter_message(text=words.READ_BACK.format(when=_when(draft, context.today), who=who,
                                                             what=draft["what"]),
                                 buttons=[button("对", "affirm"), button("不对", "deny")])
    return _keep(draft)


def _resident(context: TaskContext) -> Optional[Resident]:
    with runtime.sessions()() as session:
        resident = session.get(Resident, context.resident_id) if context.resident_id else None
        if resident is not None:
            session.expunge(resident)
        return resident


class ActionReminderSet(GuardedAction):
    """"每晚睡前提醒我吃药" / "提醒我妈每天晚上九点吃药": understood, missing parts asked, read back."""

    def name(self) -> Text:
        return "action_reminder_set"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if not _allowed(dispatcher, tracker, context):
            return _keep(None)
        said = parse_reminder(tracker.latest_message.get("text") or "", context.today)
        draft: Dict[str, Any] = {"op": "add", "what": said.what, "daily": said.daily,
                                 "day": said.day.isoformat() if said.day else None, "hour": said.hour,
                                 "minute": said.minute, "needs_time": said.needs_time}
        return _next_question(dispatcher, context, draft, _resident(context))


class ActionReminderReply(GuardedAction):
    """The answer to the reminder question just asked: the missing part, yes, no, or a correction."""

    def name(self) -> Text:
        return "action_reminder_reply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        draft = _draft(tracker)
        context = task_context(tracker)
        if not draft or context.resident_id is None:
            dispatcher.utter_message(text=words.NO_DRAFT)
            return _keep(None)
        text = tracker.latest_message.get("text") or ""
        intent = latest_intent(tracker)
        asking = draft.get("asking")
        if draft.get("op") == "stop":
            return self._stop(dispatcher, context, draft, intent)
        clock = parse_clock(corrected_part(text))
        if asking == "confirm" and intent in YES_INTENTS and clock is None:
            return self._save(dispatcher, context, draft)
        if clock is not None:
            draft["hour"], draft["minute"] = clock
            if draft.get("op") != "change":
                said = parse_reminder(corrected_part(text), context.today)
                if said.day is not None:
                    draft["day"] = said.day.isoformat()
            elif asking != "confirm" or intent not in YES_INTENTS:
                return self._change_read_back(dispatcher, context, draft)
            return _next_question(dispatcher, context, draft, _resident(context))
        if asking == "what" and text.strip() and not text.startswith("/") and intent not in NO_INTENTS + YES_INTENTS:
            draft["what"] = parse_reminder(text, context.today).what or text.strip()[:20]
            return _next_question(dispatcher, context, draft, _resident(context))
        if intent in NO_INTENTS or asking == "confirm":
            dispatcher.utter_message(text=words.NOT_SET if draft.get("op") == "add" else words.KEPT)
            return _keep(None)
        dispatcher.utter_message(text=words.NOT_UNDERSTOOD_TIME)
        return _keep(draft)

    def _save(self, dispatcher: CollectingDispatcher, context: TaskContext, draft: Dict[str, Any]) -> List[EventType]:
        settings = runtime.settings()
        now = utc_now(settings)
        with runtime.sessions().begin() as session:
            resident = session.get(Resident, context.resident_id)
            who = _who(context, resident)
            if draft.get("op") == "change":
                reminder = session.get(Reminder, draft.get("reminder_id"))
                if reminder is None or not reminder.active or reminder.resident_id != context.resident_id:
                    dispatcher.utter_message(text=words.KEPT)
                    return _keep(None)
                change_time(reminder, draft["hour"], draft["minute"])
                text = words.CHANGE_DONE.format(when=_when(draft, context.today), who=who, what=reminder.what)
                target = f"reminder:{reminder.id}"
                action = "reminder_change"
            else:
                day = dt.date.fromisoformat(draft["day"]) if draft.get("day") else None
                reminder = add_reminder(session, context.resident_id, draft["what"], bool(draft.get("daily")), day,
                                        draft["hour"], draft["minute"], context.actor, now)
                template = words.SET_DONE_FAMILY if context.is_family else words.SET_DONE
                text = template.format(when=_when(draft, context.today), who=who, what=draft["what"])
                target = f"reminder:{reminder.id}"
                action = "reminder_set"
        audit.record(context.actor, action, target, f"{draft.get('what')} {draft['hour']:02d}:{draft['minute']:02d}")
        dispatcher.utter_message(text=text)
        return _keep(None)

    def _change_read_back(self, dispatcher: CollectingDispatcher, context: TaskContext,
                          draft: Dict[str, Any]) -> List[EventType]:
        draft["asking"] = "confirm"
        dispatcher.utter_message(text=words.CHANGE_READ_BACK.format(what=draft["what"], when=_when(draft, context.today)),
                                 buttons=[button("对", "affirm"), button("不对", "deny")])
        return _keep(draft)

    def _stop(self, dispatcher: CollectingDispatcher, context: TaskContext, draft: Dict[str, Any],
              intent: Optional[str]) -> List[EventType]:
        if intent not in YES_INTENTS:
            dispatcher.utter_message(text=words.KEPT)
            return _keep(None)
        settings = runtime.settings()
        with runtime.sessions().begin() as session:
            reminder = session.get(Reminder, draft.get("reminder_id"))
            if reminder is None or reminder.resident_id != context.resident_id:
                dispatcher.utter_message(text=words.KEPT)
                return _keep(None)
            stop_reminder(session, reminder, context.actor, utc_now(settings))
            who = _who(context, session.get(Resident, context.resident_id))
            what = reminder.what
        audit.record(context.actor, "reminder_stop", f"reminder:{draft.get('reminder_id')}", what)
        dispatcher.utter_message(text=words.STOP_DONE.format(who=who, what=what))
        return _keep(None)


def _items(reminders: List[Reminder], today: dt.date) -> str:
    return "；".join(describe_reminder(r, today) for r in reminders)


def _matching(reminders: List[Reminder], text: str, wanted_id: Optional[int]) -> List[Reminder]:
    if wanted_id is not None:
        return [r for r in reminders if r.id == wanted_id]
    named = [r for r in reminders if r.what and (r.what in text or r.what[-2:] in text)]
    return named or reminders


def _entity_id(tracker: Tracker, name: str) -> Optional[int]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name:
            try:
                return int(entity.get("value"))
            except (TypeError, ValueError):
                return None
    return None


class ActionReminderList(GuardedAction):
    """"我有哪些提醒": every active reminder; a relative also hears how the week went."""

    def name(self) -> Text:
        return "action_reminder_list"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if not _allowed(dispatcher, tracker, context):
            return _keep(None)
        settings = runtime.settings()
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id)
            who = _who(context, resident)
            reminders = active_reminders(session, context.resident_id)
            if not reminders:
                dispatcher.utter_message(text=words.NONE_SET.format(who=who))
                return _keep(None)
            text = words.LIST.format(who=who, count=len(reminders), items=_items(reminders, context.today))
            if context.is_family:
                start = context.today - dt.timedelta(days=context.today.weekday())
                week = week_of(session, context.resident_id,
                               to_utc(dt.datetime.combine(start, dt.time()), settings.timezone),
                               utc_now(settings) + dt.timedelta(seconds=1))
                text += week.sentence()
        dispatcher.utter_message(text=text)
        return _keep(None)


def _the_one_meant(dispatcher: CollectingDispatcher, tracker: Tracker, context: TaskContext,
                   stopping: bool) -> Optional[Tuple[str, Reminder]]:
    """(how the resident is named, the one active reminder the words or button mean), or None when there
    is none or several (said, with a button each when stopping)."""
    text = tracker.latest_message.get("text") or ""
    with runtime.sessions()() as session:
        resident = session.get(Resident, context.resident_id)
        who = _who(context, resident)
        reminders = active_reminders(session, context.resident_id)
        if not reminders:
            dispatcher.utter_message(text=words.NONE_SET.format(who=who))
            return None
        found = _matching(reminders, text, _entity_id(tracker, "reminder_id")) or reminders
        if len(found) == 1:
            return who, found[0]
        which = words.STOP_WHICH.format(who=who, count=len(found), items=_items(found, context.today))
        if stopping:
            dispatcher.utter_message(text=which, buttons=[button(r.what, "stop_reminder", reminder_id=str(r.id))
                                                          for r in found[:3]])
        else:
            dispatcher.utter_message(text=which.replace("停掉", "改"))
        return None


class ActionReminderStop(GuardedAction):
    """"不用提醒了" / "吃药的提醒停了吧": which one (asked when several), then read back."""

    def name(self) -> Text:
        return "action_reminder_stop"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if not _allowed(dispatcher, tracker, context):
            return _keep(None)
        chosen = _the_one_meant(dispatcher, tracker, context, stopping=True)
        if chosen is None:
            return _keep(None)
        who, reminder = chosen
        dispatcher.utter_message(text=words.STOP_READ_BACK.format(who=who, what=reminder.what),
                                 buttons=[button("对", "affirm"), button("不对", "deny")])
        return _keep({"op": "stop", "reminder_id": reminder.id, "asking": "confirm"})


class ActionReminderChange(GuardedAction):
    """"吃药的提醒改到八点": which one, the new time (asked when missing), read back."""

    def name(self) -> Text:
        return "action_reminder_change"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if not _allowed(dispatcher, tracker, context):
            return _keep(None)
        text = tracker.latest_message.get("text") or ""
        chosen = _the_one_meant(dispatcher, tracker, context, stopping=False)
        if chosen is None:
            return _keep(None)
        _, reminder = chosen
        hour, minute = hour_minute(reminder)
        draft = {"op": "change", "reminder_id": reminder.id, "what": reminder.what, "daily": reminder.daily,
                 "day": reminder.day.isoformat() if reminder.day else None, "hour": hour, "minute": minute}
        clock = parse_clock(corrected_part(text.split("改", 1)[-1]) if "改" in text else text)
        if clock is None:
            draft["asking"] = "time"
            dispatcher.utter_message(text=words.CHANGE_ASK_TIME)
            return _keep(draft)
        draft["hour"], draft["minute"] = clock
        draft["asking"] = "confirm"
        dispatcher.utter_message(text=words.CHANGE_READ_BACK.format(what=reminder.what,
                                                                    when=_when(draft, context.today)),
                                 buttons=[button("对", "affirm"), button("不对", "deny")])
        return _keep(draft)


def _done_word(what: str) -> str:
    return "吃过了" if what.startswith("吃") else "做好了"


class ActionReminderDue(GuardedAction):
    """The home kiosk's "/reminder_due": the reminder said, with taken / later / skip."""

    def name(self) -> Text:
        return "action_reminder_due"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.resident_id is None or context.is_family:
            dispatcher.utter_message(text=words.NOTHING_DUE)
            return []
        settings = runtime.settings()
        now = utc_now(settings)
        fall_due(runtime.sessions(), settings, now, context.resident_id)
        with runtime.sessions().begin() as session:
            due = due_to_say(session, context.resident_id, now, settings.reminder_miss_minutes)
            if due is None:
                dispatcher.utter_message(text=words.NOTHING_DUE)
                return []
            mark_said(session, due.occurrence_id, now, settings.reminder_repeat_minutes)
            resident = session.get(Resident, context.resident_id)
            title = title_for(resident, context.today) if resident else "您"
        first = (words.DUE if due.says == 0 else words.DUE_AGAIN).format(title=title, what=due.what)
        done = _done_word(due.what)
        dispatcher.utter_message(text=first + words.DUE_QUESTION.format(done=done),
                                 buttons=[button(done, "reminder_done"), button("等一会儿", "reminder_later"),
                                          button("这次不了", "reminder_skip")])
        return []


class ActionReminderAnswer(GuardedAction):
    """"吃过了" / "等一会儿" / "这次不吃了" (or yes / no right after the reminder)."""

    def name(self) -> Text:
        return "action_reminder_answer"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        intent = latest_intent(tracker)
        if context.resident_id is None or context.is_family:
            dispatcher.utter_message(text=words.NOTHING_DUE)
            return []
        settings = runtime.settings()
        now = utc_now(settings)
        with runtime.sessions().begin() as session:
            row: Optional[ReminderOccurrence] = latest_said(session, context.resident_id)
            if row is None:
                dispatcher.utter_message(text=words.NOTHING_DUE)
                return []
            occurrence = row.id
            if intent in ("reminder_later",):
                snooze(row, now, settings.reminder_snooze_minutes)
                text = words.LATER.format(minutes=_minutes(settings.reminder_snooze_minutes))
            elif intent in ("reminder_skip", "deny"):
                answer(row, SKIPPED, now)
                text = words.SKIPPED
            else:
                answer(row, TAKEN, now)
                text = words.TAKEN
        audit.record(context.actor, f"reminder_{intent}", f"reminder_occurrence:{occurrence}")
        dispatcher.utter_message(text=text)
        return []


def _minutes(n: int) -> str:
    return say_count(n, "")
