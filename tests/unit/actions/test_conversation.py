"""Greeting, repeating, slower and louder speech, fallback, features not open yet."""
import pytest
from sqlalchemy import select

from actions.conversation import (
    ActionFallback,
    ActionGreet,
    ActionRepeat,
    ActionSpeakLouder,
    ActionSpeakSlower,
)
from actions.db.models import HandoffRequest, Resident
from tests.conftest import bot_event, make_tracker, tracker_fixture, user_event

pytestmark = pytest.mark.both_databases


async def test_repeat_says_the_last_real_answer_word_for_word(dispatcher, domain) -> None:
    tracker = tracker_fixture("menu_question_then_repeat")
    await ActionRepeat().run(dispatcher, tracker, domain)
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"] == tracker.events[5]["text"]
    assert dispatcher.messages[0]["buttons"] == tracker.events[5]["data"]["buttons"]


async def test_repeat_with_nothing_said_yet(dispatcher, domain) -> None:
    await ActionRepeat().run(dispatcher, make_tracker([user_event("再说一遍", "repeat")]), domain)
    assert dispatcher.messages[0]["response"] == "utter_nothing_to_repeat"


async def test_repeat_inside_a_form_leaves_the_question_to_the_form(dispatcher, domain) -> None:
    events = [user_event("你好", "greet"), bot_event("请问您叫什么名字？"), user_event("再说一遍", "repeat")]
    await ActionRepeat().run(dispatcher, make_tracker(events, active_loop="identify_form"), domain)
    assert dispatcher.messages == []


async def test_slower_is_stored_on_the_profile_and_repeats(sessions, dispatcher, domain) -> None:
    tracker = tracker_fixture("menu_question_then_repeat")
    events = await ActionSpeakSlower().run(dispatcher, tracker, domain)
    assert events == [{"event": "slot", "timestamp": None, "name": "speech_rate_factor", "value": 0.8}]
    assert dispatcher.messages[0]["custom"] == {"speech": {"rate_factor": 0.8, "volume": 0.7}}
    assert dispatcher.messages[1]["response"] == "utter_speak_slower"
    assert dispatcher.messages[2]["text"].startswith("我可以帮您订食堂的饭")
    with sessions() as session:
        assert session.get(Resident, 1).speech_rate_factor == 0.8


async def test_slowest_already(sessions, dispatcher, domain) -> None:
    tracker = tracker_fixture("menu_question_then_repeat", speech_rate_factor=0.5)
    assert await ActionSpeakSlower().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["response"] == "utter_slowest_already"


async def test_louder_is_stored_on_the_profile(sessions, dispatcher, domain) -> None:
    tracker = tracker_fixture("menu_question_then_repeat")
    events = await ActionSpeakLouder().run(dispatcher, tracker, domain)
    assert events[0]["name"] == "speech_volume" and events[0]["value"] == pytest.approx(0.85)
    assert dispatcher.messages[0]["custom"]["speech"]["volume"] == pytest.approx(0.85)
    with sessions() as session:
        assert session.get(Resident, 1).speech_volume == pytest.approx(0.85)


async def test_loudest_already(sessions, dispatcher, domain) -> None:
    tracker = tracker_fixture("menu_question_then_repeat", speech_volume=1.0)
    await ActionSpeakLouder().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_loudest_already"


async def test_anonymous_slower_changes_only_the_session(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("说慢点", "speak_slower")])
    events = await ActionSpeakSlower().run(dispatcher, tracker, domain)
    assert events[0]["value"] == 0.8
    with sessions() as session:
        assert {r.speech_rate_factor for r in session.scalars(select(Resident))} == {1.0}


async def test_fallback_first_offers_choices_then_brings_a_person(sessions, dispatcher, domain) -> None:
    first = [user_event("咕噜咕噜", "nlu_fallback", 0.3)]
    await ActionFallback().run(dispatcher, make_tracker(first), domain)
    assert dispatcher.messages[-1]["response"] == "utter_fallback_first"

    second = first + [bot_event("对不起，我没听懂。"), user_event("嘎嘎嘎", "nlu_fallback", 0.3)]
    await ActionFallback().run(dispatcher, make_tracker(second, slots={"resident_id": "3"}), domain)
    assert dispatcher.messages[-1]["response"] == "utter_fallback_handoff"
    assert dispatcher.messages[-1]["hotline"] == "12345"

    third = second + [bot_event("对不起，我还是没听明白。"), user_event("呜呜", "nlu_fallback", 0.3)]
    await ActionFallback().run(dispatcher, make_tracker(third, slots={"resident_id": "3"}), domain)
    assert dispatcher.messages[-1]["response"] == "utter_fallback_handoff"
    with sessions() as session:
        requests = session.scalars(select(HandoffRequest)).all()
    assert [(r.resident_id, r.reason) for r in requests] == [(3, "not_understood")]


async def test_understood_turn_resets_the_fallback_count(sessions, dispatcher, domain) -> None:
    events = [user_event("咕噜", "nlu_fallback", 0.3), user_event("你好", "greet"), user_event("嘎嘎", "nlu_fallback")]
    await ActionFallback().run(dispatcher, make_tracker(events), domain)
    assert dispatcher.messages[-1]["response"] == "utter_fallback_first"


@pytest.mark.parametrize("reason,response", [
    ("input:empty", "utter_input_empty"),
    ("input:too_long", "utter_input_too_long"),
    ("input:not_chinese", "utter_input_not_chinese"),
])
async def test_unusable_input_gets_its_own_answer(sessions, dispatcher, domain, reason, response) -> None:
    tracker = make_tracker([user_event("x", "nlu_fallback", 1.0, safety_net=reason)])
    await ActionFallback().run(dispatcher, tracker, domain)
    assert [message["response"] for message in dispatcher.messages] == [response]
    with sessions() as session:
        assert session.scalars(select(HandoffRequest)).all() == []


async def test_fallback_inside_a_task_offers_no_other_choices(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("咕噜咕噜", "nlu_fallback", 0.3)], active_loop="meal_booking_form")
    await ActionFallback().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_fallback_in_task"]


async def test_greeting_tells_waiting_news_once(sessions, dispatcher, domain) -> None:
    from actions.inbox import ResidentInbox
    from actions.outbox import Notice

    ResidentInbox(sessions).deliver(Notice("service:9:confirmed:1:resident:1", "resident:1", "service_confirmed",
                                           "您的助浴已经确认：11月24日上午，赵护工上门。"))
    slots = {"resident_id": "1", "actor_role": "resident"}
    await ActionGreet().run(dispatcher, make_tracker([user_event("你好", "greet")], slots=slots), domain)
    assert dispatcher.messages[0]["response"] == "utter_greet_named"
    assert dispatcher.messages[1]["text"] == "告诉您一件事：您的助浴已经确认：11月24日上午，赵护工上门。"
    again = type(dispatcher)()
    await ActionGreet().run(again, make_tracker([user_event("你好", "greet")], slots=slots), domain)
    assert len(again.messages) == 1


async def test_family_greeting_does_not_take_the_residents_news(sessions, dispatcher, domain) -> None:
    from actions.inbox import ResidentInbox
    from actions.outbox import Notice

    ResidentInbox(sessions).deliver(Notice("k:resident:1", "resident:1", "k", "您的助浴已经确认。"))
    slots = {"resident_id": "1", "actor_role": "family", "family_member_id": "1"}
    await ActionGreet().run(dispatcher, make_tracker([user_event("你好", "greet")], slots=slots), domain)
    assert len(dispatcher.messages) == 1


@pytest.mark.parametrize("text,followed", [("底保", True), ("常护险", True), ("咕噜咕噜", False), ("", False)])
async def test_a_bare_policy_name_the_classifier_missed_is_answered(sessions, dispatcher, domain, text,
                                                                     followed) -> None:
    events = await ActionFallback().run(dispatcher, make_tracker([user_event(text, "nlu_fallback", 0.3)]), domain)
    assert (events == [{"event": "followup", "timestamp": None, "name": "action_answer_policy"}]) is followed
    assert (dispatcher.messages == []) is followed


async def test_words_while_help_is_coming_join_the_alert_not_the_fallback(sessions, dispatcher, domain) -> None:
    from actions.db.models import Alert, AlertWord
    from bot.kernel.clock import utcnow

    with sessions.begin() as session:
        alert = Alert(resident_id=1, sender_id="kiosk-home-1", channel="kiosk", location="张家", text="我摔了一跤",
                      status="acknowledged", kind="fall", created_at=utcnow())
        session.add(alert)
        session.flush()
        alert_id = alert.id
    tracker = make_tracker([user_event("我闺女一会儿就到", "nlu_fallback", 0.3)],
                           slots={"resident_id": "1", "alert_id": str(alert_id)})
    await ActionFallback().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_alert_noted", "utter_alert_settled_open"]
    with sessions() as session:
        assert [w.text for w in session.scalars(select(AlertWord).where(AlertWord.alert_id == alert_id))] == [
            "我闺女一会儿就到"]
        session.get(Alert, alert_id).status = "resolved"
        session.commit()
    dispatcher.messages.clear()
    await ActionFallback().run(dispatcher, tracker, domain)  # resolved: an ordinary "not understood" again
    assert dispatcher.messages[0]["response"] == "utter_fallback_first"
