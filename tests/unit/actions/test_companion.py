"""Feelings get a warm, short answer with a real offer; a call from the family reaches the relatives."""
from __future__ import annotations

from sqlalchemy import select

from actions.companion.actions import ActionAskFamilyCall, ActionComfort
from actions.companion.feelings import Feeling, feeling_of
from actions.db.models import OutboxMessage
from tests.conftest import make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS


def test_feelings_are_told_apart() -> None:
    assert feeling_of("老伴走了以后，饭桌上总空着一副碗筷") is Feeling.GRIEF
    assert feeling_of("儿女都不在家，冷清得很") is Feeling.LONELY
    assert feeling_of("儿子好几天没来电话了，我这心里老是不踏实") is Feeling.WORRY
    assert feeling_of("学了好几遍还是记不住，太头疼了") is Feeling.FRUSTRATED
    assert feeling_of("这俩礼拜腿疼得厉害，晚上睡不着") is Feeling.UNWELL
    assert feeling_of("感冒好几天了，家里连个端水的人都没有") is Feeling.UNWELL


async def test_pain_and_no_sleep_get_an_offer_to_see_a_doctor(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("这俩礼拜腿疼得厉害，晚上睡不着", "share_feelings")], slots=HOME_SLOTS)
    await ActionComfort().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert "医院" in message["text"] and "惦记" not in message["text"] and message["text"].count("？") <= 1
    assert message["buttons"][0]["payload"] == '/book_service{"service_type": "助医"}'


async def test_loneliness_gets_an_offer_not_a_task(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("儿女都不在家，冷清得很", "share_feelings")], slots=HOME_SLOTS)
    await ActionComfort().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert "冷清" in message["text"] and message["text"].count("？") <= 1
    titles = [b["title"] for b in message["buttons"]]
    assert titles[0] == "约人来陪我聊聊" and "让家人给我打电话" in titles and len(titles) <= 3


async def test_going_on_about_it_is_not_answered_with_the_same_words(sessions, dispatcher, domain) -> None:
    events = [user_event("老伴走了，我心里难受", "share_feelings"), {"event": "action", "name": "action_comfort"},
              user_event("半夜醒了就想她", "share_feelings")]
    await ActionComfort().run(dispatcher, make_tracker(events, slots=HOME_SLOTS), domain)
    assert dispatcher.messages[0]["text"].startswith("嗯，我在听")


async def test_a_call_from_the_family_is_queued_for_each_relative(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("让我闺女给我打个电话", "ask_family_call")], slots=HOME_SLOTS)
    await ActionAskFamilyCall().run(dispatcher, tracker, domain)
    assert "已经告诉您女儿" in dispatcher.messages[0]["text"]
    with sessions() as session:
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "family_call"))
    assert notice.recipient.startswith("family:") and "张桂英说想跟您说说话" in notice.text


def test_doubting_oneself_is_not_frustration_with_the_machine() -> None:
    assert feeling_of("你说我是不是老糊涂了") is Feeling.SELF_DOUBT
    assert feeling_of("净给孩子添麻烦") is Feeling.SELF_DOUBT


async def test_a_new_feeling_after_grief_gets_its_own_first_answer(sessions, dispatcher, domain) -> None:
    events = [user_event("要是老头子还在，又得念叨半天", "share_feelings"), {"event": "action", "name": "action_comfort"},
              user_event("你说我是不是老糊涂了", "share_feelings")]
    await ActionComfort().run(dispatcher, make_tracker(events, slots=HOME_SLOTS), domain)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("您别这么想") and "正常" in text and "老伴" not in text
    assert dispatcher.messages[0]["buttons"][0]["title"] == "约人来陪我聊聊"  # a real offer


async def test_loneliness_offers_the_next_community_activity_too(sessions, dispatcher, domain) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from tests.conftest import bot_event

    tracker = make_tracker([user_event("儿女都不在家，冷清得很", "share_feelings")], slots=HOME_SLOTS)
    await ActionComfort().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["buttons"][-1] == {"title": "报名义诊：量血压、测血糖",
                                      "payload": '/signup_activity{"activity_id": "1"}'}
    again = CollectingDispatcher()
    events = [user_event("儿女都不在家，冷清得很", "share_feelings"), {"event": "action", "name": "action_comfort"},
              bot_event(message["text"]), user_event("屋里冷冷清清的，一个人闷得慌", "share_feelings")]
    await ActionComfort().run(again, make_tracker(events, slots=HOME_SLOTS), domain)
    [second] = again.messages
    assert "11月25日社区有义诊：量血压、测血糖，想去我帮您报名。" in second["text"]
    assert second["text"].count("？") <= 1

