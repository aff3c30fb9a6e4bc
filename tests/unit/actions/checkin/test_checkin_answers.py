"""The check-in in the conversation: the question asked by name, fine / low / danger answers, all recorded."""
from __future__ import annotations

from rasa_sdk.events import FollowupAction
from sqlalchemy import select

from actions.checkin.actions import ActionCheckInAnswer, ActionDailyCheckIn
from actions.db.models import Checkin
from tests.conftest import TODAY, make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS

CHECK_IN = user_event("/daily_check_in", "daily_check_in")
ASKED = {"event": "action", "name": "action_daily_check_in"}


def _today(sessions) -> Checkin:
    with sessions() as session:
        return session.scalars(select(Checkin).where(Checkin.resident_id == 1, Checkin.day == TODAY)).one()


async def test_the_kiosk_asks_by_name_and_a_second_try_is_gentler(sessions, dispatcher, domain) -> None:
    await ActionDailyCheckIn().run(dispatcher, make_tracker([CHECK_IN], slots=HOME_SLOTS), domain)
    assert dispatcher.messages[0]["text"] == "张奶奶，早上好！今天身体怎么样？"
    assert _today(sessions).tries == 1
    await ActionDailyCheckIn().run(dispatcher, make_tracker([CHECK_IN], slots=HOME_SLOTS), domain)
    assert dispatcher.messages[1]["text"] == "张奶奶，您在家吗？小暖想问问您，今天身体还好吗？"
    assert _today(sessions).tries == 2


async def test_fine_gets_a_warm_short_answer_and_is_recorded(sessions, dispatcher, domain) -> None:
    for said, intent in (("挺好的", "feel_well"), ("还行", "affirm"), ("好着呢", "feel_well")):
        tracker = make_tracker([CHECK_IN, ASKED, user_event(said, intent)], slots=HOME_SLOTS)
        await ActionCheckInAnswer().run(dispatcher, tracker, domain)
    assert [m["text"] for m in dispatcher.messages] == ["那就好！今天也记得多喝水。有事随时叫我。"] * 3
    row = _today(sessions)
    assert row.mood == "ok" and row.answered_at is not None and "挺好的" in row.answer


async def test_low_offers_a_doctor_the_family_or_staff_in_one_question(sessions, dispatcher, domain) -> None:
    for said, intent in (("不太好", "feel_unwell"), ("头晕", "feel_unwell"), ("没睡好", "feel_unwell"),
                         ("心里难受", "share_feelings")):
        dispatcher.messages.clear()
        tracker = make_tracker([CHECK_IN, ASKED, user_event(said, intent)], slots=HOME_SLOTS)
        await ActionCheckInAnswer().run(dispatcher, tracker, domain)
        [message] = dispatcher.messages
        assert message["text"] == "听您这么说，我有点担心。要请医生上门看看，让家人给您打个电话，还是找工作人员？"
        assert message["text"].count("？") == 1
        assert [b["payload"] for b in message["buttons"]] == [
            '/book_service{"service_type": "上门护理"}', "/ask_family_call", "/human_handoff"]
    assert _today(sessions).mood == "low"


async def test_a_later_fine_does_not_hide_a_low_answer_from_staff(sessions, dispatcher, domain) -> None:
    for said, intent in (("没睡好", "feel_unwell"), ("还行", "feel_well")):
        tracker = make_tracker([user_event(said, intent)], slots=HOME_SLOTS)
        await ActionCheckInAnswer().run(dispatcher, tracker, domain)
    assert _today(sessions).mood == "low"


async def test_danger_words_go_to_the_emergency_conversation(sessions, dispatcher, domain) -> None:
    for said in ("不太好，我摔倒了起不来", "胸口疼得厉害"):
        tracker = make_tracker([CHECK_IN, ASKED, user_event(said, "feel_unwell")], slots=HOME_SLOTS)
        events = await ActionCheckInAnswer().run(dispatcher, tracker, domain)
        assert events == [FollowupAction("action_emergency")]
    assert dispatcher.messages == []


async def test_a_community_kiosk_or_a_relative_records_nothing(sessions, dispatcher, domain) -> None:
    slots = dict(HOME_SLOTS, kiosk_mode="community")
    await ActionDailyCheckIn().run(dispatcher, make_tracker([CHECK_IN], slots=slots), domain)
    with sessions() as session:
        assert session.scalars(select(Checkin)).first() is None
