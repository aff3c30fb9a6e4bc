"""Answers to feelings, and a call asked of the family."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import runtime
from actions.activities.store import upcoming
from actions.audit import record
from actions.companion.feelings import COMPANION, PERSON, Feeling, comfort_text, feeling_of, offers_for
from actions.context import task_context
from actions.db.models import FamilyLink, FamilyMember, Resident
from actions.guarded import GuardedAction
from actions.outbox import enqueue
from actions.tracker_utils import latest_message_id
from bot.kernel.contract import button

RELATIVE_WORRY = "您惦记老人，这很正常。我可以约志愿者上门陪老人聊聊，也可以请社区工作人员去看看。"


def _comforted_just_before(tracker: Tracker, feeling: Feeling) -> bool:
    """Whether the turn before the latest one told of the same feeling and got this warm answer (a new
    feeling, "我是不是老糊涂了" after grief, gets its own first answer)."""
    seen_latest_user = False
    comforted = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest_user:
                return comforted and feeling_of(event.get("text") or "") is feeling
            seen_latest_user = True
        elif seen_latest_user and event.get("event") == "action" and event.get("name") == "action_comfort":
            comforted = True
    return False


def _buttons(offers: List[Any]) -> List[Dict[str, str]]:
    return [{"title": o.title, "payload": o.payload} for o in offers]


def _has_family(resident_id: Any) -> bool:
    if resident_id is None:
        return False
    with runtime.sessions()() as session:
        return session.scalar(select(FamilyLink.id).where(FamilyLink.resident_id == resident_id).limit(1)) is not None


def _with_activity(said: str, buttons: List[Dict[str, str]], now: Any, again: bool) -> tuple:
    """Loneliness: the soonest community activity with places left is offered as well (its button last,
    in place of the third choice); said in words the second time, when the first offers were not taken."""
    with runtime.sessions()() as session:
        soon = next((a for a in upcoming(session, now, limit=5) if a.booked < a.capacity), None)
        if soon is None:
            return said, buttons
        offer = button(f"报名{soon.title}", "signup_activity", activity_id=str(soon.id))
        if again:
            said = f"{said}{soon.starts_at.month}月{soon.starts_at.day}日社区有{soon.title}，想去我帮您报名。"
    return said, buttons[:2] + [offer]


class ActionComfort(GuardedAction):
    """Loneliness, grief, worry, frustration: a warm short answer and a real offer, never a task."""

    def name(self) -> Text:
        return "action_comfort"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        text = tracker.latest_message.get("text") or ""
        if context.is_family:
            dispatcher.utter_message(text=RELATIVE_WORRY, buttons=_buttons([COMPANION, PERSON]))
            return []
        feeling = feeling_of(text)
        again = _comforted_just_before(tracker, feeling)
        family = _has_family(context.resident_id)
        said, buttons = comfort_text(feeling, again, family), _buttons(offers_for(feeling, family))
        if feeling is Feeling.LONELY:
            said, buttons = _with_activity(said, buttons, context.now, again)
        dispatcher.utter_message(text=said, buttons=buttons)
        return []


class ActionAskFamilyCall(GuardedAction):
    """"让家人给我打个电话": a short notice to each linked relative, through the outbox."""

    def name(self) -> Text:
        return "action_ask_family_call"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        context = task_context(tracker)
        if context.is_family or context.resident_id is None:
            dispatcher.utter_message(text="这个要在老人自己的小暖上说。您可以直接给老人打个电话。")
            return []
        cause = f"family_call:{latest_message_id(tracker) or tracker.sender_id}"
        with runtime.sessions().begin() as session:
            resident = session.get(Resident, context.resident_id)
            relatives = list(session.execute(
                select(FamilyMember.id, FamilyMember.name, FamilyLink.relation)
                .join(FamilyLink, FamilyLink.family_member_id == FamilyMember.id)
                .where(FamilyLink.resident_id == context.resident_id).order_by(FamilyLink.id)))
            if resident is None or not relatives:
                dispatcher.utter_message(text="您还没有绑定家人的手机。我可以请社区工作人员给您回个电话。",
                                         buttons=_buttons([PERSON]))
                return []
            them = "她" if resident.gender == "女" else "他"
            notice = f"【小暖】{resident.name}说想跟您说说话。有空请给{them}打个电话。"
            enqueue(session, [(f"family:{fid}", notice) for fid, _, _ in relatives], "family_call", cause)
        record(context.actor, "family_call_asked", f"resident:{context.resident_id}")
        names = "、".join(relation or name for _, name, relation in relatives[:2])
        dispatcher.utter_message(text=f"好的，我已经告诉您{names}了，请{'他们' if len(relatives) > 1 else '对方'}给您打电话。")
        return []
