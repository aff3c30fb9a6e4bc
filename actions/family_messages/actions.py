"""Family messages in the conversation: a relative leaves one, the kiosk says it, the resident answers.

A relative's "给妈妈留言：周六我们回来吃饭" is kept for the parent; the home kiosk says it at once when idle
("/family_message"), any kiosk at the start of the resident's next conversation; "跟她说好的，我包饺子" goes
back to the relative's chat as text and a voice note (the outbox, once, retried).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audit, runtime
from actions.context import task_context
from actions.db.models import Resident
from actions.family_messages import words
from actions.family_messages.store import Heard, leave, relation_of, reply_target, send_reply, take_unheard
from actions.guarded import GuardedAction
from actions.residents import title_for
from bot.kernel.clock import utc_now

PENDING = "family_message_pending"
STOP_WORDS = ("算了", "不用了", "不要了", "不用", "不要")


def _pending(tracker: Tracker) -> Dict[str, Any]:
    try:
        value = json.loads(tracker.get_slot(PENDING) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _keep(value: Dict[str, Any] | None) -> List[EventType]:
    return [SlotSet(PENDING, json.dumps(value, ensure_ascii=False) if value else None)]


def heard_sentences(heard: List[Heard], title: str) -> str:
    """"张奶奶，您女儿给您留了话：“周六我们回来吃饭”。要回话，就说“跟她说……”；想再听，就说“再听一遍”。" """
    said = "".join(words.PLAY_ONE.format(title=title if i == 0 else "还有", who="您" + (h.relation or "家人"),
                                         text=h.text) for i, h in enumerate(heard))
    return said + words.PLAY_HINT.format(pronoun=words.pronoun_for(heard[-1].relation))


class ActionFamilyMessageLeave(GuardedAction):
    """A relative on Telegram leaves words for the parent (asked for when only "留言" was said)."""

    def name(self) -> Text:
        return "action_family_message_leave"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if not context.is_family or context.resident_id is None:
            dispatcher.utter_message(text=words.ONLY_FAMILY)
            return _keep(None)
        text = words.message_of(tracker.latest_message.get("text") or "")
        if _pending(tracker).get("asking") == "words" and latest_is_words(tracker):
            text = words.chinese_punctuation((tracker.latest_message.get("text") or "").strip())
        with runtime.sessions().begin() as session:
            resident = session.get(Resident, context.resident_id)
            name = resident.name if resident else "老人"
            if not text:
                dispatcher.utter_message(text=words.ASK_WORDS.format(name=name))
                return _keep({"asking": "words"})
            member = int(context.actor.split(":", 1)[1])
            note = leave(session, context.resident_id, member, text[:300], utc_now(runtime.settings()))
            note_id = note.id
            pronoun = words.resident_pronoun(resident.gender if resident else "")
        audit.record(context.actor, "family_message", f"family_note:{note_id}")
        dispatcher.utter_message(text=words.LEFT.format(name=name, pronoun=pronoun, text=text[:300]))
        return _keep(None)


def latest_is_words(tracker: Tracker) -> bool:
    text = tracker.latest_message.get("text") or ""
    return bool(text.strip()) and not text.startswith("/")


class ActionFamilyMessagePlay(GuardedAction):
    """The home kiosk's "/family_message": the family's words said to the resident, marked heard."""

    def name(self) -> Text:
        return "action_family_message_play"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.resident_id is None or context.is_family:
            dispatcher.utter_message(text=words.NOTHING)
            return []
        with runtime.sessions().begin() as session:
            heard = take_unheard(session, context.resident_id, utc_now(runtime.settings()))
            resident = session.get(Resident, context.resident_id)
            title = title_for(resident, context.today) if resident else "您"
        if not heard:
            dispatcher.utter_message(text=words.NOTHING)
            return []
        dispatcher.utter_message(text=heard_sentences(heard, title))
        return []


class ActionFamilyMessageReply(GuardedAction):
    """"跟她说好的，我包饺子": the answer goes to the relative as text and a voice note."""

    def name(self) -> Text:
        return "action_family_message_reply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.resident_id is None or context.is_family:
            dispatcher.utter_message(text=words.ONLY_FAMILY)
            return _keep(None)
        said = tracker.latest_message.get("text") or ""
        if tracker.get_slot("reminder_draft") and said.strip().startswith(STOP_WORDS):
            return [FollowupAction("action_reminder_reply")]  # "算了不用了，…" answers the reminder question
        found = words.reply_of(said)
        text = found or ""
        if _pending(tracker).get("asking") == "reply" and latest_is_words(tracker) and not text:
            text = words.chinese_punctuation(said.strip())
        with runtime.sessions().begin() as session:
            member = reply_target(session, context.resident_id)
            if member is None:
                dispatcher.utter_message(text=words.NO_FAMILY)
                return _keep(None)
            who = "您" + (relation_of(session, context.resident_id, member) or "家人")
            if not text:
                dispatcher.utter_message(text=words.REPLY_ASK.format(who=who))
                return _keep({"asking": "reply"})
            note = send_reply(session, context.resident_id, member, text[:300], utc_now(runtime.settings()))
            note_id = note.id
        audit.record(context.actor, "family_reply", f"family_note:{note_id}")
        dispatcher.utter_message(text=words.REPLY_SENT.format(who=who.removeprefix("您"), text=text[:300]))
        return _keep(None)
