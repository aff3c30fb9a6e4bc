"""Policy questions: the item found by name, alias or sound, its spoken summary, then details on
request; whether this person qualifies; which one when two are close; the hotline when none."""
from __future__ import annotations

import re
from typing import Any, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.bookings.price_asked import price_of_booking_just_made, price_of_meal_being_booked
from actions.context import task_context, who_for
from actions.db.models import Resident
from actions.guarded import GuardedAction
from actions.lang.numbers import parse_age
from actions.policies.answers import (
    asks_eligibility,
    asks_what_applies,
    detail_answer,
    detail_asked,
    eligibility_answer,
    for_the_ear,
    what_applies_answer,
)
from actions.policies.context import knowledge_and_index
from actions.policies.knowledge import KnowledgeBase, PolicyItem
from actions.policies.retrieval import SOUNDS_ALIKE, Match
from actions.policies.sentences import best_sentence
from actions.stuck import offer_person_if_stuck
from actions.tracker_utils import answered_just_before_with, latest_intent, set_in_previous_answer
from bot.kernel.clock import local_today
from bot.kernel.contract import button

FOUND = 0.5  # below this nothing is close enough
# "我想问政策" names no policy: ask which, rather than say none was found.
_GENERIC = set("我想要问问政策咨询一下有什么哪些补贴补助福利的吗呢啊请帮看查了解")
COMMON = ("gaoling_jintie", "dibao", "changhu_xian")
CLOSE = 0.05  # two items this close: ask which one
OFFERED = "policy_offered"


def _topic_entity(tracker: Tracker) -> Optional[str]:
    return next((e.get("value") for e in tracker.latest_message.get("entities") or []
                 if e.get("entity") == "policy_topic"), None)


def find(knowledge: KnowledgeBase, index: Any, tracker: Tracker) -> Tuple[Optional[PolicyItem], List[Match]]:
    """The item asked about, or (None, close candidates), or (None, []) when nothing matches."""
    topic = _topic_entity(tracker)
    if topic:
        try:
            return knowledge.by_id(topic), []
        except KeyError:
            pass
    text = tracker.latest_message.get("text") or ""
    matches = index.search(topic + text if topic else text)
    matches = [m for m in matches if m.score >= FOUND]
    if not matches:
        current = _current_item(knowledge, tracker)
        if current is not None and is_follow_up(knowledge, current, text):
            return current, []  # "要带什么材料？" / "我也能领吗" / "能取现金不" about the item just discussed
        return None, []
    close = [m for m in matches if matches[0].score - m.score < CLOSE]
    if len(close) > 1:
        return None, close[:3]
    return matches[0].item, []


def _current_item(knowledge: KnowledgeBase, tracker: Tracker) -> Optional[PolicyItem]:
    """The item just discussed, if it is still in the knowledge base."""
    current = tracker.get_slot("policy_id")
    try:
        return knowledge.by_id(current) if current else None
    except KeyError:
        return None


def is_follow_up(knowledge: KnowledgeBase, item: PolicyItem, text: str) -> bool:
    """A question about this item: a detail, whether one qualifies, or something one of its sentences says."""
    return bool(detail_asked(text, follow_up=True) or asks_eligibility(text, parse_age(text))
                or best_sentence(item, text, knowledge))


def _named_in(item: Optional[PolicyItem], text: str) -> bool:
    """The words name this item itself ("高龄津贴能领多少"), not just a word it shares ("能领什么补贴")."""
    return item is not None and any(name in text for name in (item.title, *item.aliases))


def names_a_policy(text: str) -> bool:
    """The words are one policy's name or alias, or sound just like one (a bare "底保" the classifier missed)."""
    if not text or text.startswith("/") or len(text) > 20:
        return False
    _, index = knowledge_and_index()
    matches = index.search(text)
    return bool(matches) and matches[0].via != "text" and matches[0].score >= SOUNDS_ALIKE and (
        len(matches) == 1 or matches[0].score - matches[1].score >= CLOSE)


def person(tracker: Tracker) -> Tuple[Optional[int], Tuple[str, ...], str]:
    """Age (said, else from the profile), flags and how to name them."""
    context = task_context(tracker)
    said = parse_age(tracker.latest_message.get("text") or "")
    age, flags = said, ()
    if context.resident_id is not None:
        with runtime.sessions()() as session:
            resident = session.get(Resident, context.resident_id)
            if resident is not None:
                age = said if said is not None else resident.age_on(local_today(runtime.settings()))
                flags = tuple(f for f in resident.flags.split(",") if f)
    return age, flags, who_for(context, tracker.get_slot("resident_name"))


OFFER_COVERS = ("materials", "how", "phone")  # what "要听申请材料和去哪里办吗？" would say
FOLLOW_UP_CHARS = 15  # a question this short, right after an answer, is about the item just discussed


# A task asked for right after a policy answer (a rule brings it here first): its form, unless the words
# are a question about the item just discussed ("能拿它买饭不").
TASK_FORMS = {"book_meal": "meal_booking_form", "book_service": "service_booking_form"}
_POINTS_BACK = re.compile(r"它|这个|那个|[这那][张笔份]?(卡|钱|补贴|补助|津贴)")
_ASKS = re.compile(r"(不|吗|么|没|没有|呢)[？?。！!\s]*$|能不能|可不可以|行不行|[？?]")


def asks_about_item_just_discussed(text: str) -> bool:
    """A short question that points back at what was just answered: "能拿它买饭不", "这卡能买菜吗"."""
    return len(text) <= FOLLOW_UP_CHARS and bool(_POINTS_BACK.search(text)) and bool(_ASKS.search(text))


class ActionAnswerPolicy(GuardedAction):
    def name(self) -> Text:
        return "action_answer_policy"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        task_form = TASK_FORMS.get(latest_intent(tracker) or "")
        if task_form and not tracker.active_loop_name and not asks_about_item_just_discussed(text):
            return [FollowupAction(task_form)]  # "那帮我订个饭": the booking itself
        knowledge, index = knowledge_and_index()
        item, close = find(knowledge, index, tracker)
        settings = runtime.settings()
        price = None if _named_in(item, text) else (price_of_booking_just_made(tracker)
                                                   or price_of_meal_being_booked(tracker))
        if price:
            # "要花多少钱", "他半失能，能便宜点不" right after a booking: that booking's price and subsidy.
            dispatcher.utter_message(text=price)
            return [SlotSet(OFFERED, False)]
        if asks_what_applies(text) and not _named_in(item, text):
            age, flags, who = person(tracker)
            answer, items = what_applies_answer(knowledge, age, flags, who)
            dispatcher.utter_message(text=answer, buttons=[
                button(i.title, "ask_policy", policy_topic=i.id) for i in items])
            # A follow-up that names none of them ("这个去哪儿办", "钱打到卡上吗") is about the first, said first.
            return [SlotSet(OFFERED, False), SlotSet("policy_id", items[0].id if items else None)]
        if item is None and close:
            dispatcher.utter_message(
                text="您问的是哪一个？" + "，还是".join(m.item.title for m in close) + "？",
                buttons=[button(m.item.title, "ask_policy", policy_topic=m.item.id)
                         for m in close])
            return [SlotSet(OFFERED, False)]
        if item is None and (text.startswith("/") or not set(text) - _GENERIC - set(" ，。？！,.?!")):
            common = [knowledge.by_id(item_id) for item_id in COMMON]
            dispatcher.utter_message(
                text="您想问哪方面的政策？比如" + "、".join(i.title for i in common) + "。直接说名字就行。",
                buttons=[button(i.title, "ask_policy", policy_topic=i.id) for i in common])
            return [SlotSet(OFFERED, False)]
        if item is None and answered_just_before_with(tracker, "action_scam_warning"):
            return [FollowupAction("action_scam_warning")]  # "我就去领个鸡蛋": more about the fraud just warned of
        if item is None:
            if not offer_person_if_stuck(dispatcher, tracker):
                dispatcher.utter_message(response="utter_policy_not_found", hotline=settings.hotline,
                                         community_phone=settings.community_phone)
            # A short follow-up the knowledge base cannot answer ("礼拜天开门不") keeps the item for the next one.
            keep = tracker.get_slot("policy_id") if len(text) <= FOLLOW_UP_CHARS else None
            return [SlotSet(OFFERED, False), SlotSet("policy_id", keep)]
        age, flags, who = person(tracker)
        follow_up = item.id == tracker.get_slot("policy_id")
        kind = detail_asked(text, follow_up=follow_up)
        # A follow-up no detail names ("钱打哪儿", "礼拜天开门不"): the sentence of the item that says it.
        sentence = best_sentence(item, text, knowledge) if follow_up and not kind else None
        if asks_eligibility(text, parse_age(text)) and item.eligibility:
            dispatcher.utter_message(text=eligibility_answer(knowledge, item, age, flags, who))
        elif kind:
            dispatcher.utter_message(text=detail_answer(item, kind))
        elif sentence:
            kind = sentence[0]
            dispatcher.utter_message(text=f"{item.title}：{sentence[1]}。")
        else:
            dispatcher.utter_message(text=item.summary)
        if tracker.active_loop_name or kind in OFFER_COVERS:
            # Asked in the middle of a booking: answered, and the booking's own question follows (one question).
            # Or the materials / where to apply were just said: offering them again would only repeat them.
            return [SlotSet("policy_id", item.id), SlotSet(OFFERED, False)]
        dispatcher.utter_message(response="utter_policy_offer_details",
                                 buttons=[button("要", "affirm"), button("不用了", "deny")])
        return [SlotSet("policy_id", item.id), SlotSet(OFFERED, True)]


class ActionPolicyDetails(GuardedAction):
    """The reply to "要听申请材料吗？": the materials, where to apply and the phone; or fine, nothing more."""

    def name(self) -> Text:
        return "action_policy_details"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not set_in_previous_answer(tracker, OFFERED):
            # The offer was made turns ago: this yes or no answers something else, or nothing.
            idle = "utter_affirm_idle" if latest_intent(tracker) == "affirm" else "utter_deny_idle"
            dispatcher.utter_message(response=idle)
            return [SlotSet(OFFERED, False)]
        text = tracker.latest_message.get("text") or ""
        knowledge, _ = knowledge_and_index()
        item = _current_item(knowledge, tracker)
        if (item is not None and is_follow_up(knowledge, item, text)) or (
                item is None and (detail_asked(text, follow_up=True) or asks_eligibility(text, parse_age(text)))):
            # "我能领不", "要钱不", "能取现金不": a question about the item, though it ends in 不 like a no.
            return [SlotSet(OFFERED, False), FollowupAction("action_answer_policy")]
        if latest_intent(tracker) == "deny":
            dispatcher.utter_message(response="utter_policy_no_details")
            return [SlotSet(OFFERED, False)]
        if item is None:
            dispatcher.utter_message(response="utter_ask_what_task")
            return [SlotSet(OFFERED, False)]
        dispatcher.utter_message(text=f"申请材料：{for_the_ear(item.details['materials'])}")
        dispatcher.utter_message(text=f"怎么办：{for_the_ear(item.details['how'])}电话：{item.details['phone']}。")
        return [SlotSet(OFFERED, False)]


# What a short question the classifier took for help or for something the kiosk does not do gets when it
# is no follow-up after all (the rules of basics.yml).
USUAL_ACTION = {"ask_help": "utter_help", "out_of_scope": "action_out_of_scope"}


class ActionHelpOrPolicyFollowUp(ActionAnswerPolicy):
    """"要咋弄", "咋评估" right after a policy answer: how to get that item, not what the kiosk can do.

    The classifier hears these short how-questions as a request for help or as something the kiosk
    does not do; when they are a follow-up
    about the item just discussed (a detail it names, or a sentence of the item that answers it),
    they are answered as one. Anything else gets that intent's usual answer.
    """

    def name(self) -> Text:
        return "action_help_or_policy_follow_up"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        knowledge, _ = knowledge_and_index()
        text = tracker.latest_message.get("text") or ""
        current = _current_item(knowledge, tracker)
        if current is not None and len(text) <= FOLLOW_UP_CHARS and is_follow_up(knowledge, current, text):
            return await super().act(dispatcher, tracker, domain)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return [FollowupAction(USUAL_ACTION.get(intent, "utter_help"))]
