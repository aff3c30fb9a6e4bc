"""Who is speaking: session start from metadata and the community-kiosk identification."""
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog
from actions.identity import ActionIdentifyDone, ActionIdentifyStop, ActionSessionStart, ValidateIdentifyForm
from tests.conftest import make_tracker, user_event

pytestmark = pytest.mark.both_databases


def _slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def _session_tracker(metadata: Dict[str, Any]):
    return make_tracker([], slots={"session_started_metadata": metadata})


VERIFIED = {"channel": "kiosk", "kiosk_mode": "community", "location": "幸福里社区服务中心", "verified": True}


def said_at_kiosk(text: str, intent: str) -> Dict[str, Any]:
    """A user event from a community kiosk that presented the channel secret (the channel adds `verified`)."""
    return user_event(text, intent, metadata=VERIFIED)


def kiosk_tracker(events: List[Dict[str, Any]], **slots: Any):
    return make_tracker(events, slots={"channel": "kiosk", "kiosk_mode": "community",
                                       "location": "幸福里社区服务中心", **slots})


async def test_home_kiosk_resident_is_known_from_the_start(sessions, dispatcher, domain) -> None:
    metadata = {"channel": "kiosk", "role": "resident", "resident_id": 2, "kiosk_mode": "home", "location": "王家"}
    events = await ActionSessionStart().run(dispatcher, _session_tracker(metadata), domain)
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    slots = _slots(events)
    assert slots["resident_id"] == "2" and slots["resident_name"] == "王建国"
    assert slots["identified"] is True and slots["kiosk_mode"] == "home" and slots["channel"] == "kiosk"
    assert dispatcher.messages[0]["custom"] == {"speech": {"rate_factor": 1.0, "volume": 0.7}}


async def test_linked_family_member_acts_for_the_parent(sessions, dispatcher, domain) -> None:
    metadata = {"channel": "telegram", "role": "family", "family_member_id": 3, "resident_id": 4}
    slots = _slots(await ActionSessionStart().run(dispatcher, _session_tracker(metadata), domain))
    assert slots["resident_id"] == "4" and slots["family_member_id"] == "3" and slots["actor_role"] == "family"


async def test_unlinked_family_member_gets_no_access(sessions, dispatcher, domain) -> None:
    metadata = {"channel": "telegram", "role": "family", "family_member_id": 1, "resident_id": 4}
    slots = _slots(await ActionSessionStart().run(dispatcher, _session_tracker(metadata), domain))
    assert "resident_id" not in slots and slots["identified"] is False and slots["actor_role"] == "anonymous"


async def test_community_kiosk_starts_anonymous(sessions, dispatcher, domain) -> None:
    metadata = {"channel": "kiosk", "role": "anonymous", "kiosk_mode": "community"}
    slots = _slots(await ActionSessionStart().run(dispatcher, _session_tracker(metadata), domain))
    assert slots["identified"] is False and slots["kiosk_mode"] == "community"


async def test_malformed_metadata_is_treated_as_anonymous(sessions, dispatcher, domain) -> None:
    slots = _slots(await ActionSessionStart().run(dispatcher, _session_tracker({"resident_id": "abc"}), domain))
    assert slots["identified"] is False and "resident_id" not in slots


async def test_identification_name_phone_confirm(sessions, dispatcher, domain) -> None:
    form = ValidateIdentifyForm()
    tracker = make_tracker([user_event("我叫张桂英啊", "inform")])
    assert form.validate_identify_name("我叫张桂英啊", dispatcher, tracker, domain) == {"identify_name": "张桂英"}

    tracker = make_tracker([user_event("幺二三四", "inform")], slots={"identify_name": "张桂英"})
    slots = form.validate_identify_phone4("幺二三四", dispatcher, tracker, domain)
    assert slots["identify_phone4"] == "1234" and slots["identify_candidate_id"] == "1"
    assert slots["identify_candidate_desc"] == "住在幸福里小区3号楼的张奶奶"

    assert form.validate_identify_confirmed(True, dispatcher, tracker, domain) == {"identify_confirmed": True}
    assert dispatcher.messages == []


async def test_a_bare_yes_is_no_name_and_a_name_said_later_replaces_the_first(sessions, dispatcher, domain) -> None:
    """"嗯" to "请问您叫什么名字？" is no name; "我叫王建国" when the digits are asked starts from that name."""
    form = ValidateIdentifyForm()
    for said in ("嗯", "对", "啊"):
        dispatcher.messages.clear()
        tracker = kiosk_tracker([said_at_kiosk(said, "affirm")])
        assert form.validate_identify_name(said, dispatcher, tracker, domain) == {"identify_name": None}
        assert "我叫张桂英" in dispatcher.messages[0]["text"]
    tracker = kiosk_tracker([said_at_kiosk("我叫王建国", "inform")], identify_name="嗯嗯嗯")
    assert form.validate_identify_phone4("我叫王建国", dispatcher, tracker, domain) == {
        "identify_name": "王建国", "identify_phone4": None}
    with sessions() as session:  # neither was counted as a failed identification
        assert session.scalars(select(AuditLog.target).where(AuditLog.action == "identify_failed")).all() == []


async def test_an_unknown_name_is_not_told_apart_from_wrong_digits(sessions, dispatcher, domain) -> None:
    form = ValidateIdentifyForm()
    tracker = kiosk_tracker([said_at_kiosk("李四", "inform")])
    assert form.validate_identify_name("李四", dispatcher, tracker, domain) == {"identify_name": "李四"}
    answers = []
    for name in ("李四", "张桂英"):
        tracker = kiosk_tracker([said_at_kiosk("9999", "inform")], identify_name=name, identify_attempts=1)
        slots = form.validate_identify_phone4("9999", dispatcher, tracker, domain)
        assert slots["identify_phone4"] is None and slots["identify_name"] == name and slots["identify_attempts"] == 2
        answers.append(dispatcher.messages[-1]["response"])
    assert answers == ["utter_identify_phone_mismatch"] * 2
    with sessions() as session:
        targets = session.scalars(select(AuditLog.target).where(AuditLog.action == "identify_failed")).all()
    assert sorted(targets) == ["kiosk:幸福里社区服务中心", "kiosk:幸福里社区服务中心", "resident:1"]


async def test_failures_across_conversations_lock_out_and_tell_staff(sessions, dispatcher, domain) -> None:
    from actions.db.models import HandoffRequest

    form = ValidateIdentifyForm()
    for _attempt in range(5):
        tracker = kiosk_tracker([said_at_kiosk("9999", "inform")], identify_name="张桂英")
        form.validate_identify_phone4("9999", dispatcher, tracker, domain)
    assert "暂时不能确认身份" in dispatcher.messages[-1]["text"]
    tracker = kiosk_tracker([said_at_kiosk("1234", "inform")], identify_name="张桂英")
    slots = form.validate_identify_phone4("1234", dispatcher, tracker, domain)
    assert slots["identify_candidate_id"] is None and "暂时不能确认身份" in dispatcher.messages[-1]["text"]
    assert await form.required_slots(["identify_name"], dispatcher, kiosk_tracker(
        [said_at_kiosk("张桂英", "inform")], identify_attempts=slots["identify_attempts"]), domain) == []
    with sessions() as session:
        told = session.scalars(select(HandoffRequest).where(HandoffRequest.reason == "identify_locked")).all()
    assert [h.resident_id for h in told] == [1]


async def test_without_the_secret_there_is_no_identification(sessions, dispatcher, domain) -> None:
    form = ValidateIdentifyForm()
    wanted = ["identify_name", "identify_phone4", "identify_confirmed"]
    web = make_tracker([user_event("你好", "greet", metadata={"verified": False})], slots={"channel": "rest"})
    assert await form.required_slots(wanted, dispatcher, web, domain) == []
    claimed = make_tracker([user_event("你好", "greet", metadata={"verified": False})], slots={"channel": "kiosk"})
    assert await form.required_slots(wanted, dispatcher, claimed, domain) == []


async def test_identification_gives_up_after_three_tries(sessions, dispatcher, domain) -> None:
    form = ValidateIdentifyForm()
    wanted = ["identify_name", "identify_phone4", "identify_confirmed"]
    tracker = kiosk_tracker([said_at_kiosk("张桂英", "inform")], identify_attempts=3)
    assert await form.required_slots(wanted, dispatcher, tracker, domain) == []
    tracker = kiosk_tracker([said_at_kiosk("张桂英", "inform")], identify_attempts=2)
    assert await form.required_slots(wanted, dispatcher, tracker, domain) == wanted


async def test_identify_done_adopts_the_confirmed_resident(sessions, dispatcher, domain) -> None:
    tracker = kiosk_tracker([said_at_kiosk("对", "affirm")], identify_confirmed=True, identify_candidate_id="1")
    slots = _slots(await ActionIdentifyDone().run(dispatcher, tracker, domain))
    assert slots["resident_id"] == "1" and slots["identified"] is True and slots["actor_role"] == "resident"
    assert slots["identify_candidate_id"] is None
    assert dispatcher.messages[-1]["response"] == "utter_identify_done"
    assert dispatcher.messages[-1]["title"] == "张奶奶"
    with sessions() as session:
        assert session.scalars(select(AuditLog.action)).all() == ["identified_at_kiosk"]


async def test_identify_done_without_confirmation_carries_on(sessions, dispatcher, domain) -> None:
    tracker = kiosk_tracker([said_at_kiosk("不对", "deny")], identify_attempts=3)
    slots = _slots(await ActionIdentifyDone().run(dispatcher, tracker, domain))
    assert "resident_id" not in slots and slots["identify_attempts"] == 0
    assert dispatcher.messages[-1]["response"] == "utter_identify_give_up"


async def test_identify_stop_deactivates_the_form(sessions, dispatcher, domain) -> None:
    events = await ActionIdentifyStop().run(dispatcher, make_tracker([user_event("不说", "deny")]), domain)
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    assert dispatcher.messages[-1]["response"] == "utter_identify_give_up"


async def test_a_task_asked_before_identification_is_resumed(sessions, dispatcher, domain) -> None:
    from actions.identity import ActionIdentifyFirst

    asked = kiosk_tracker([said_at_kiosk("我要订饭", "book_meal")])
    events = await ActionIdentifyFirst().run(dispatcher, asked, domain)
    assert _slots(events) == {"pending_task": "book_meal",
                              "pending_request": '{"text": "我要订饭", "entities": []}'}  # kept for the task
    tracker = kiosk_tracker([said_at_kiosk("对", "affirm")], identify_confirmed=True, identify_candidate_id="2",
                            pending_task="book_meal")
    events = await ActionIdentifyDone().run(dispatcher, tracker, domain)
    assert {"event": "followup", "timestamp": None, "name": "meal_booking_form"} in events
    assert _slots(events)["pending_task"] is None
    assert dispatcher.messages[-1]["response"] == "utter_identify_done_resume"
    assert (dispatcher.messages[-1]["title"], dispatcher.messages[-1]["task"]) == ("王爷爷", "订餐")


async def test_going_on_with_the_booking_at_the_identity_question_counts_as_yes(dispatcher, domain) -> None:
    """"您是…张奶奶，对吗？" — "一份，送到家": the booking's details, no objection; the form then reads them."""
    form = ValidateIdentifyForm()
    slots = {"requested_slot": "identify_confirmed", "pending_task": "book_meal"}
    quantity = [{"entity": "quantity", "value": "一份"}]
    going_on = make_tracker([user_event("一份，送到家", "inform", entities=quantity)], slots=slots)
    assert await form.extract_identify_confirmed(dispatcher, going_on, domain) == {"identify_confirmed": True}
    no_task = make_tracker([user_event("一份，送到家", "inform", entities=quantity)],
                           slots={**slots, "pending_task": None})
    assert await form.extract_identify_confirmed(dispatcher, no_task, domain) == {}
    no_detail = make_tracker([user_event("嗯嗯啊", "inform")], slots=slots)
    assert await form.extract_identify_confirmed(dispatcher, no_detail, domain) == {}
    other_question = make_tracker([user_event("一份", "inform", entities=quantity)],
                                  slots={**slots, "requested_slot": "identify_phone4"})
    assert await form.extract_identify_confirmed(dispatcher, other_question, domain) == {}
