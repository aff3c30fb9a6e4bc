"""The emergency as a conversation: advice per danger, one alert per resident, follow-ups, asking first,
taking it back, a relative's question, and the place staff go to."""
import pytest
from sqlalchemy import select, update

from actions.alerts import ActionEmergency
from actions.db.models import Alert, AlertWord, HandoffRequest, OutboxMessage
from actions.safety.dialogue import DONE, ActionAlertStatus, ActionAskAlertReply, ValidateEmergencyForm
from actions.safety.place import UNKNOWN
from actions.safety.responses import ADVICE
from tests.conftest import make_tracker, user_event

pytestmark = pytest.mark.both_databases

HOME = {"resident_id": "1", "resident_name": "张桂英", "identified": True, "channel": "kiosk",
        "kiosk_mode": "home", "actor_role": "resident", "location": "幸福里社区服务中心"}
RELATIVE = {"resident_id": "1", "resident_name": "张桂英", "identified": True, "channel": "telegram",
            "kiosk_mode": "home", "actor_role": "family", "family_member_id": "1"}


def _slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def _raise(text, dispatcher, domain, slots=HOME, sender="kiosk-home-1"):
    tracker = make_tracker([user_event(text, "emergency", 1.0)], slots=dict(slots), sender_id=sender)
    return _slots(await ActionEmergency().run(dispatcher, tracker, domain))


async def _reply(text, state, dispatcher, domain, slots=HOME, sender="kiosk-home-1"):
    tracker = make_tracker([user_event(text, "inform")], slots={**slots, **state}, sender_id=sender,
                           active_loop="emergency_form")
    result = await ValidateEmergencyForm().validate_alert_reply(text, dispatcher, tracker, domain)
    return {**state, **result}


@pytest.mark.parametrize("text,kind", [
    ("我摔倒了起不来", "fall"), ("胸口疼得厉害", "medical"), ("厨房着火了", "fire"), ("家里有股煤气味", "gas"),
    ("有人在撬我家门", "intruder"), ("我迷路了找不到家", "lost"), ("我不想活了", "self_harm"), ("救命", "help"),
    ("锅烧干了，厨房直冒黑烟", "fire"), ("厨房里一股臭鸡蛋味，是不是漏气了", "gas"), ("走着走着找不着家了", "lost"),
])
async def test_each_danger_gets_its_own_first_advice(sessions, dispatcher, domain, text, kind) -> None:
    slots = await _raise(text, dispatcher, domain)
    assert dispatcher.messages[0]["response"] == ADVICE[kind]
    assert dispatcher.messages[1]["response"] == "utter_alert_told_staff"
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
    assert alert.kind == kind and slots["alert_kind"] == kind and slots["alert_talk"] is True
    if kind == "self_harm":
        assert dispatcher.messages[0]["crisis_line"] == "12356"


async def test_repeats_join_the_open_alert_and_family_is_told_once(sessions, dispatcher, domain) -> None:
    for _ in range(3):
        await _raise("救命啊", dispatcher, domain)
    with sessions() as session:
        alerts = list(session.scalars(select(Alert)))
        words = list(session.scalars(select(AlertWord)))
        family = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "emergency")))
    assert len(alerts) == 1 and alerts[0].repeats == 3 and len(words) == 2
    assert len(family) == 1
    assert dispatcher.messages[-1]["response"] == "utter_alert_joined"


async def test_a_cry_during_the_conversation_counts_as_a_repeat(sessions, dispatcher, domain) -> None:
    state = await _raise("救命", dispatcher, domain)
    tracker = make_tracker([user_event("救命啊", "emergency", 1.0, safety_net="emergency:help")],
                           slots={**HOME, **state},
                           sender_id="kiosk-home-1", active_loop="emergency_form")
    await ValidateEmergencyForm().validate_alert_reply("救命啊", dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_alert_joined"
    with sessions() as session:
        assert session.scalars(select(Alert)).one().repeats == 2


async def test_follow_up_words_are_added_and_the_answer_follows_them(sessions, dispatcher, domain) -> None:
    state = await _raise("我摔倒了", dispatcher, domain)
    state = await _reply("左腿疼得厉害", state, dispatcher, domain)
    assert dispatcher.messages[-2]["response"] == "utter_alert_noted"
    assert dispatcher.messages[-2]["said"] == "左腿疼得厉害"
    assert state["alert_reply"] is None
    state = await _reply("还闻到一股煤气味", state, dispatcher, domain)
    assert dispatcher.messages[-2]["response"] == "utter_advice_gas"
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
        words = [w.text for w in session.scalars(select(AlertWord).order_by(AlertWord.id))]
    assert words == ["左腿疼得厉害", "还闻到一股煤气味"] and alert.repeats == 1
    # The next question follows the new danger.
    asked = make_tracker([user_event("嗯", "affirm")], slots={**HOME, **state}, active_loop="emergency_form")
    dispatcher.messages.clear()
    await ActionAskAlertReply().run(dispatcher, asked, domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_alert_gas_2"


async def test_reported_speech_asks_first_and_a_calm_answer_raises_nothing(sessions, dispatcher, domain) -> None:
    state = await _raise("听说隔壁老李昨天摔倒了", dispatcher, domain)
    assert state["alert_stage"] == "check" and dispatcher.messages == []
    state = await _reply("我没事，就是跟你说说", state, dispatcher, domain)
    assert state["alert_reply"] == DONE and state["alert_stage"] == "ok"
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == []


@pytest.mark.parametrize("text,net", [("吃了冇", "task_cue:greet"), ("*0", None), ("座机 010-66881234 找我", None),
                                      ("我出去遛弯了", None)])
async def test_a_guess_without_a_word_of_danger_asks_first(sessions, dispatcher, domain, text, net) -> None:
    """Only the classifier half thought so (a greeting in dialect, noise, a phone number): ask, raise nothing."""
    tracker = make_tracker([user_event(text, "emergency", 1.0, safety_net=net)], slots=dict(HOME),
                           sender_id="kiosk-home-1")
    state = _slots(await ActionEmergency().run(dispatcher, tracker, domain))
    assert state["alert_stage"] == "check"
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == []


async def test_a_feeling_with_words_of_danger_raises_the_alert(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("头晕眼花，浑身冒虚汗，站都站不住", "emergency", 1.0,
                                       safety_net="task_cue:share_feelings")], slots=dict(HOME), sender_id="kiosk-home-1")
    state = _slots(await ActionEmergency().run(dispatcher, tracker, domain))
    assert state["alert_stage"] == "open"
    with sessions() as session:
        assert len(session.scalars(select(Alert)).all()) == 1


@pytest.mark.parametrize("answer", ["我腿也疼", "。", "嗯……不太好"])
async def test_reported_speech_then_trouble_or_no_answer_raises_the_alert(sessions, dispatcher, domain,
                                                                          answer) -> None:
    state = await _raise("如果我摔倒了怎么办", dispatcher, domain)
    state = await _reply(answer, state, dispatcher, domain)
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
    assert alert.text.startswith("如果我摔倒了怎么办 / ") and state["alert_stage"] == "open"
    assert dispatcher.messages[0]["response"] == "utter_advice_fall"


async def test_taking_it_back_closes_as_false_alarm_after_one_question(sessions, dispatcher, domain) -> None:
    state = await _raise("救命", dispatcher, domain)
    state = await _reply("我刚才是说着玩的", state, dispatcher, domain)
    assert state["alert_stage"] == "retract" and state["alert_reply"] is None
    with sessions() as session:
        assert session.scalars(select(Alert)).one().status == "open"  # not yet: asked once first
    state = await _reply("对，没事了", state, dispatcher, domain)
    assert state["alert_stage"] == "closed" and state["alert_reply"] == DONE
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
        closed = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "emergency_closed")))
    assert (alert.status, alert.outcome, alert.closed_by) == ("resolved", "false_alarm", "resident:1")
    assert len(closed) == 1 and "误报" in closed[0].text


async def test_a_no_to_the_confirmation_keeps_the_alert(sessions, dispatcher, domain) -> None:
    state = await _raise("救命", dispatcher, domain)
    state = await _reply("按错了", state, dispatcher, domain)
    state = await _reply("不对，我还是头晕", state, dispatcher, domain)
    assert state["alert_stage"] == "open"
    with sessions() as session:
        assert session.scalars(select(Alert)).one().status == "open"


async def test_a_relative_asking_hears_the_status_not_a_new_alert(sessions, dispatcher, domain) -> None:
    await _raise("我摔倒了", dispatcher, domain)
    with sessions.begin() as session:
        session.execute(update(Alert).values(status="acknowledged", acknowledged_by="staff:1 王芳",
                                             note="[11-23 08:01 王芳确认] 马上上门"))
    dispatcher.messages.clear()
    slots = await _raise("我妈摔倒了现在怎么样了", dispatcher, domain, slots=RELATIVE, sender="tg-1")
    assert slots["alert_talk"] is False
    message = dispatcher.messages[0]
    assert message["response"] == "utter_alert_status_acknowledged"
    assert message["staff"] == "工作人员王芳" and message["note"] == "备注：马上上门。"
    tracker = make_tracker([user_event("刚才的求助有人去了吗", "ask_alert_status")], slots=RELATIVE)
    await ActionAlertStatus().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_alert_status_acknowledged"
    with sessions() as session:
        assert len(session.scalars(select(Alert)).all()) == 1


async def test_the_place_is_the_home_at_a_home_kiosk(sessions, dispatcher, domain) -> None:
    await _raise("我摔倒了", dispatcher, domain)
    with sessions() as session:
        assert session.scalars(select(Alert)).one().location == "幸福里小区3号楼2单元101"


async def test_a_home_kiosk_told_its_place_uses_it(sessions, dispatcher, domain) -> None:
    await _raise("我摔倒了", dispatcher, domain, slots={**HOME, "location": "张家客厅"})
    with sessions() as session:
        assert session.scalars(select(Alert)).one().location == "张家客厅"


async def test_a_relative_reporting_gives_the_home_address(sessions, dispatcher, domain) -> None:
    await _raise("我妈刚打电话说她摔倒了", dispatcher, domain, slots=RELATIVE, sender="tg-1")
    with sessions() as session:
        assert session.scalars(select(Alert)).one().location == "幸福里小区3号楼2单元101"


async def test_the_place_is_asked_when_nobody_knows_it(sessions, dispatcher, domain) -> None:
    phone = {**HOME, "channel": "telegram", "actor_role": "resident"}
    state = await _raise("我迷路了", dispatcher, domain, slots=phone, sender="tg-2")
    assert state["alert_stage"] == "place"
    asked = make_tracker([user_event("我迷路了", "emergency")], slots={**phone, **state},
                         active_loop="emergency_form")
    await ActionAskAlertReply().run(dispatcher, asked, domain)
    assert dispatcher.messages[-1]["response"] == "utter_ask_alert_place"
    with sessions() as session:
        assert session.scalars(select(Alert)).one().location == UNKNOWN
    state = await _reply("在菜市场东门", state, dispatcher, domain, slots=phone, sender="tg-2")
    with sessions() as session:
        assert session.scalars(select(Alert)).one().location == "在菜市场东门"
    assert state["alert_stage"] == "open"


async def test_a_name_said_when_asked_where_is_no_place(sessions, dispatcher, domain) -> None:
    phone = {**HOME, "channel": "telegram", "actor_role": "resident"}
    state = await _raise("我走着走着找不着家了", dispatcher, domain, slots=phone, sender="tg-3")
    for said in ("我叫赵福海", "手机号后四位9753"):
        dispatcher.messages.clear()
        state = await _reply(said, state, dispatcher, domain, slots=phone, sender="tg-3")
        assert state["alert_stage"] == "place" and dispatcher.messages[0]["response"] == "utter_alert_noted"
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
        words = [w.text for w in session.scalars(select(AlertWord).where(AlertWord.alert_id == alert.id))]
    assert alert.location == UNKNOWN and words == ["我叫赵福海", "手机号后四位9753"]
    state = await _reply("我在菜市场门口", state, dispatcher, domain, slots=phone, sender="tg-3")
    assert state["alert_stage"] == "open"


async def test_a_community_kiosk_alert_is_at_the_kiosk(sessions, dispatcher, domain) -> None:
    await _raise("救命", dispatcher, domain, slots={**HOME, "kiosk_mode": "community", "location": "康乐苑活动室"})
    with sessions() as session:
        assert session.scalars(select(Alert)).one().location == "康乐苑活动室"


def test_a_childs_game_shouting_for_help_is_asked_about_first() -> None:
    from actions.safety.words import is_reported

    assert is_reported("孙子在屋里玩游戏呢，一个劲儿喊救命救命，吵死了")
    assert is_reported("我孙女写作业写烦了，在那嚷嚷救命呢，你别当真")
    assert not is_reported("救命，我摔倒了")
    assert not is_reported("孙子在玩，我摔倒了起不来，快来")


@pytest.mark.parametrize("answer,fine", [
    ("我家好好的，我就是听着害怕", True), ("没事，吓我一跳", True), ("我没事，就是替他揪心", True),
    ("我家好好的，就是腿疼", False), ("我害怕，屋里有烟", False), ("不太好", False),
])
def test_fear_of_what_was_heard_is_no_trouble(answer, fine) -> None:
    from actions.safety.words import sounds_all_right

    assert sounds_all_right(answer) is fine


async def test_a_relative_wondering_with_nothing_on_record_gets_no_alarm(sessions, dispatcher, domain) -> None:
    text = "小区群里有人说早上看见救护车了，是不是我爸出事了"
    tracker = make_tracker([user_event(text, "emergency", 1.0, safety_net="emergency:ambulance")],
                           slots=dict(RELATIVE), sender_id="telegram-1")
    await ActionEmergency().run(dispatcher, tracker, domain)
    assert "没有查到" in dispatcher.messages[0]["text"] and "010" in dispatcher.messages[0]["text"]
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == [] and session.scalars(select(OutboxMessage)).all() == []
        request = session.scalars(select(HandoffRequest)).one()
    assert (request.resident_id, request.reason) == (1, "relative_worried")


async def test_a_relative_asking_for_help_now_raises_the_alert(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("我爸是不是摔倒了，你们快去看看", "emergency", 1.0, safety_net="emergency:fall")],
                           slots=dict(RELATIVE), sender_id="telegram-1")
    await ActionEmergency().run(dispatcher, tracker, domain)
    with sessions() as session:
        assert len(session.scalars(select(Alert)).all()) == 1


@pytest.mark.parametrize("text,intent,handed_over", [
    ("窗户开了，阀门也关上了", "book_service", False),  # what was done, told in service words
    ("帮我订明天的午饭", "book_meal", True),  # a task asked for
])
async def test_only_a_task_asked_for_ends_the_emergency_talk(sessions, dispatcher, domain, text, intent,
                                                             handed_over) -> None:
    state = await _raise("厨房里一股臭鸡蛋味", dispatcher, domain)
    tracker = make_tracker([user_event(text, intent)], slots={**HOME, **state}, sender_id="kiosk-home-1",
                           active_loop="emergency_form")
    result = await ValidateEmergencyForm().validate_alert_reply(text, dispatcher, tracker, domain)
    assert (result.get("alert_next") is not None) is handed_over


async def test_danger_told_about_is_asked_about_and_a_relative_report_still_alarms(
        sessions, dispatcher, domain) -> None:
    from actions.alerts import ActionCheckDanger

    tracker = make_tracker([user_event("楼下老李昨天摔了一跤", "report_danger", 1.0, safety_net="reported:fall")],
                           slots=dict(HOME), sender_id="kiosk-home-1")
    slots = _slots(await ActionCheckDanger().run(dispatcher, tracker, domain))
    assert slots["alert_stage"] == "check" and slots["alert_talk"] is True
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == []
    # A relative telling of a parent's fall yesterday is not asked "您自己没事吧？": staff are called.
    tracker = make_tracker([user_event("我妈昨天摔了一跤，起不来", "report_danger", 1.0, safety_net="reported:fall")],
                           slots=dict(RELATIVE), sender_id="telegram-1")
    slots = _slots(await ActionCheckDanger().run(dispatcher, tracker, domain))
    assert slots["alert_talk"] is True
    with sessions() as session:
        assert len(session.scalars(select(Alert)).all()) == 1


COMMUNITY = {"channel": "kiosk", "kiosk_mode": "community", "actor_role": "resident", "location": "康乐苑活动室"}


async def _told_in_turns(texts, state, dispatcher, domain, sender):
    events = [user_event(texts[0], "emergency", 1.0)]
    for text in texts[1:]:
        dispatcher.messages.clear()
        events.append(user_event(text, "inform"))
        tracker = make_tracker(list(events), slots={**COMMUNITY, **state}, sender_id=sender,
                               active_loop="emergency_form")
        state = {**state, **await ValidateEmergencyForm().validate_alert_reply(text, dispatcher, tracker, domain)}
    return state


async def test_a_lost_man_naming_himself_at_a_community_kiosk_puts_the_alert_on_his_record(
        sessions, dispatcher, domain) -> None:
    """"我叫赵福海", then "手机号后四位9753": staff see who it is, later words join the same alert, and his
    family are told; the speaker hears nothing from the record."""
    state = await _raise("我出来遛弯，走着走着找不着家了", dispatcher, domain, slots=COMMUNITY, sender="anon:k1")
    state = await _told_in_turns(["我出来遛弯，走着走着找不着家了", "我叫赵福海", "手机号后四位9753"], state,
                                 dispatcher, domain, "anon:k1")
    assert [m.get("text") for m in dispatcher.messages] == ["找到您的登记了，我们会告诉您的家人。"]
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
        resident = alert.resident.name if alert.resident else None
        told = [o.recipient for o in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "emergency"))]
    assert resident == "赵福海"
    assert told == ["family:3"]  # his grandson 刘洋, once
    await _raise("救命", dispatcher, domain, slots=COMMUNITY, sender="anon:k1")
    with sessions() as session:
        assert session.scalars(select(Alert)).one().repeats == 2


async def test_a_name_with_the_wrong_digits_names_nobody(sessions, dispatcher, domain) -> None:
    state = await _raise("我迷路了找不到家", dispatcher, domain, slots=COMMUNITY, sender="anon:k2")
    await _told_in_turns(["我迷路了找不到家", "我叫赵福海", "尾号是1111"], state, dispatcher, domain, "anon:k2")
    assert "找到您的登记了，我们会告诉您的家人。" not in [m.get("text") for m in dispatcher.messages]
    with sessions() as session:
        assert session.scalars(select(Alert)).one().resident_id is None


async def test_a_scald_gets_cool_water_first(sessions, dispatcher, domain) -> None:
    slots = await _raise("熬汤把锅碰翻了，脚上烫了一大片，都起泡了", dispatcher, domain)
    assert slots["alert_kind"] == "medical" and dispatcher.messages[0]["response"] == "utter_advice_burn"
    assert dispatcher.messages[1]["response"] == "utter_alert_told_staff"
