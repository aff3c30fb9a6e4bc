"""Messages between family and the kiosk: a daughter's words left on Telegram, said at the kiosk once
(at once at an idle home kiosk, else at the next conversation), answered in speech and queued for her chat."""
from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.conversation import tell_news
from actions.db.models import FamilyNote, OutboxMessage
from actions.family_messages.actions import ActionFamilyMessageLeave, ActionFamilyMessagePlay, ActionFamilyMessageReply
from actions.family_messages.store import leave
from actions.family_messages.words import message_of, reply_of
from bot.kernel.settings import Settings
from tests.conftest import make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS
from tests.unit.actions.reminders.driver import FAMILY_SLOTS
from voice.home_timer import MESSAGE_PAYLOAD, HomeTimer

pytestmark = pytest.mark.both_databases
NOW_UTC = dt.datetime(2026, 11, 23, 0, 0)


async def _run(action, text: str, intent: str, slots, domain) -> str:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, make_tracker([user_event(text, intent)], slots=slots), domain)
    return "".join(m.get("text") or "" for m in dispatcher.messages)


def test_the_words_passed_on() -> None:
    assert message_of("给妈妈留言：周六我们回来吃饭") == "周六我们回来吃饭"
    assert message_of("跟我妈说一声，明天降温了多穿点") == "明天降温了多穿点"
    assert message_of("留言") == ""
    assert reply_of("跟她说好的，我包饺子") == "好的，我包饺子"
    assert reply_of("告诉我儿子我挺好的，不用惦记") == "我挺好的，不用惦记"
    assert reply_of("回个话") == ""


async def test_left_on_telegram_said_at_the_idle_home_kiosk_once_and_answered(sessions, domain, database_url) -> None:
    said = await _run(ActionFamilyMessageLeave(), "给妈妈留言：周六我们回来吃饭", "leave_message", FAMILY_SLOTS, domain)
    assert said == "好的，记下了。张桂英在家的时候，小暖会把您的话说给她听：“周六我们回来吃饭”"
    settings = Settings().with_overrides(database_url=database_url, kiosk_mode="home", kiosk_resident_id=1,
                                         fixed_now="2026-11-23T08:00:00")
    timer = HomeTimer(settings, sessions, monotonic=lambda: 0.0)
    assert timer.due() == MESSAGE_PAYLOAD
    played = await _run(ActionFamilyMessagePlay(), MESSAGE_PAYLOAD, "family_message", HOME_SLOTS, domain)
    assert played == ("张奶奶，您女儿给您留了话：“周六我们回来吃饭”。"
                      "要回话，就说“跟她说……”；想再听，就说“再听一遍”。")
    assert HomeTimer(settings, sessions, monotonic=lambda: 0.0).due() is None, "said once"
    answered = await _run(ActionFamilyMessageReply(), "跟她说好的，我包饺子", "reply_family", HOME_SLOTS, domain)
    assert answered == "好的，我把您的话发给女儿了：“好的，我包饺子”"
    with sessions() as session:
        [reply] = session.scalars(select(FamilyNote).where(FamilyNote.direction == "to_family")).all()
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "family_reply")).all()
    assert (reply.family_member_id, reply.text) == (1, "好的，我包饺子")
    assert (notice.recipient, notice.text) == ("family:1", "【张桂英回话】张桂英说：“好的，我包饺子”")


async def test_a_busy_kiosk_says_it_at_the_start_of_the_next_conversation(sessions, domain) -> None:
    with sessions.begin() as session:
        leave(session, 1, 1, "明天降温了多穿点", NOW_UTC)
    dispatcher = CollectingDispatcher()
    tell_news(dispatcher, make_tracker([user_event("你好", "greet")], slots=HOME_SLOTS))
    assert dispatcher.messages[-1]["text"].startswith("张奶奶，您女儿给您留了话：“明天降温了多穿点”。")
    again = CollectingDispatcher()
    tell_news(again, make_tracker([user_event("你好", "greet")], slots=HOME_SLOTS))
    assert again.messages == []


async def test_only_a_relative_leaves_messages_and_only_when_words_are_given(sessions, domain) -> None:
    assert await _run(ActionFamilyMessageLeave(), "给我妈留个言", "leave_message", FAMILY_SLOTS, domain) == (
        "好的。要跟张桂英说什么呢？")
    assert (await _run(ActionFamilyMessageLeave(), "留言", "leave_message", HOME_SLOTS, domain)).startswith("留言是家人")
    with sessions() as session:
        assert session.scalars(select(FamilyNote)).all() == []
