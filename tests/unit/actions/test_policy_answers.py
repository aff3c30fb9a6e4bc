"""Policy answers with the real knowledge base and database."""
import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import OutboxMessage, Resident
from actions.policies.actions import ActionAnswerPolicy, ActionPolicyDetails, asks_about_item_just_discussed
from actions.policies.knowledge import load_knowledge
from actions.policies.notices import newly_eligible, queue_notices
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import TODAY, bot_event, make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS, said

pytestmark = pytest.mark.both_databases


async def ask(text, dispatcher, domain, slots=None, entities=None):
    tracker = make_tracker([user_event(text, "ask_policy", entities=entities or [])],
                           slots=dict(HOME_SLOTS if slots is None else slots))
    events = await ActionAnswerPolicy().run(dispatcher, tracker, domain)
    return said(dispatcher.messages), {e["name"]: e["value"] for e in events}


async def test_summary_then_details_on_request(sessions, dispatcher, domain) -> None:
    reply, slots = await ask("高龄津贴怎么领", dispatcher, domain)
    assert reply.startswith("年满八十岁的老人，每个月都能领高龄津贴。") and reply.endswith("utter_policy_offer_details")
    assert slots == {"policy_id": "gaoling_jintie", "policy_offered": True}
    offered = [user_event("高龄津贴怎么领", "ask_policy"), {"event": "slot", "name": "policy_offered", "value": True}]
    details = make_tracker(offered + [user_event("要", "affirm")], slots={**HOME_SLOTS, **slots})
    more = type(dispatcher)()
    await ActionPolicyDetails().run(more, details, domain)
    assert said(more.messages).startswith("申请材料：身份证、户口本、社保卡")
    # Sample values are staff bookkeeping (the item's sample_values), not read aloud to the resident.
    assert "010-6688-1234" in said(more.messages) and "示例" not in said(more.messages)


async def test_a_yes_turns_after_the_offer_answers_nothing(sessions, dispatcher, domain) -> None:
    _, slots = await ask("高龄津贴怎么领", dispatcher, domain)
    events = [user_event("高龄津贴怎么领", "ask_policy"), {"event": "slot", "name": "policy_offered", "value": True},
              user_event("你好", "greet"), bot_event("您好！"), user_event("嗯", "affirm")]
    late = type(dispatcher)()
    await ActionPolicyDetails().run(late, make_tracker(events, slots={**HOME_SLOTS, **slots}), domain)
    assert [m.get("response") for m in late.messages] == ["utter_affirm_idle"]


async def test_a_homophone_still_finds_its_item(sessions, dispatcher, domain) -> None:
    _, slots = await ask("底 保 怎 么 申 请", dispatcher, domain)
    assert slots["policy_id"] == "dibao"


async def test_eligibility_with_the_age_in_the_sentence(sessions, dispatcher, domain) -> None:
    reply, _ = await ask("我八十二了高龄津贴能领多少", dispatcher, domain, slots={})
    assert reply.startswith("您82岁，可以申请高龄津贴，每月100元。") and "示例" not in reply


async def test_eligibility_from_the_profile(sessions, dispatcher, domain) -> None:
    reply, _ = await ask("高龄津贴我能领吗", dispatcher, domain)  # 张桂英 is 85
    assert reply.startswith("您85岁，可以申请高龄津贴，每月100元。")


async def test_a_clear_no_with_the_reason_and_what_else(sessions, dispatcher, domain) -> None:
    slots = {**HOME_SLOTS, "resident_id": "5", "resident_name": "陈淑珍"}  # 70
    reply, _ = await ask("高龄津贴我能领吗", dispatcher, domain, slots=slots)
    assert reply.startswith("您70岁，现在还不符合高龄津贴的条件：要满80岁。您可以看看：")


async def test_unknown_age_is_asked_for(sessions, dispatcher, domain) -> None:
    reply, _ = await ask("高龄津贴我能领吗", dispatcher, domain, slots={})
    assert "请告诉我您多大岁数" in reply


async def test_close_items_are_offered_as_a_choice(sessions, dispatcher, domain) -> None:
    reply, slots = await ask("康复辅具怎么弄", dispatcher, domain)
    assert reply.startswith("您问的是哪一个？")
    buttons = dispatcher.messages[0]["buttons"]
    assert 2 <= len(buttons) <= 3 and all(b["payload"].startswith("/ask_policy{") for b in buttons)
    assert slots == {"policy_offered": False}


async def test_a_button_names_the_item(sessions, dispatcher, domain) -> None:
    entities = [{"entity": "policy_topic", "value": "fuju_huigou"}]
    _, slots = await ask('/ask_policy{"policy_topic": "fuju_huigou"}', dispatcher, domain, entities=entities)
    assert slots["policy_id"] == "fuju_huigou"


async def test_nothing_found_gives_the_hotline(sessions, dispatcher, domain) -> None:
    reply, slots = await ask("那个叫什么来着的东西", dispatcher, domain)
    assert reply == "utter_policy_not_found" and dispatcher.messages[0]["hotline"] == "12345"
    assert slots["policy_id"] is None


async def test_a_follow_up_about_the_item_just_discussed(sessions, dispatcher, domain) -> None:
    reply, _ = await ask("要带什么材料", dispatcher, domain, slots={**HOME_SLOTS, "policy_id": "dibao"})
    assert reply.startswith("最低生活保障（低保）的申请材料：")


@pytest.mark.parametrize("said", ["咋领", "上哪儿领", "咋办理"])
async def test_how_to_claim_in_everyday_words_is_about_the_item_just_discussed(sessions, dispatcher, domain,
                                                                               said) -> None:
    reply, slots = await ask(said, dispatcher, domain, slots={**HOME_SLOTS, "policy_id": "gaoling_jintie"})
    assert reply.startswith("高龄津贴") and "没有找到" not in reply and slots["policy_id"] == "gaoling_jintie"


def _knowledge():
    return load_knowledge(PROJECT_ROOT / "data" / "policies")


def test_newly_eligible_turns_80_this_month(sessions) -> None:
    with sessions.begin() as session:
        session.add(Resident(name="孙八十", gender="女", birth_date=dt.date(1946, 11, 10), flags=""))
    found = {(f.resident_name, f.item.id) for f in newly_eligible(sessions, _knowledge(), TODAY)}
    assert ("孙八十", "gaoling_jintie") in found
    assert ("张桂英", "gaoling_jintie") not in found  # 85: eligible for years, nothing new


def test_newly_flagged_residents_are_found(sessions) -> None:
    with sessions.begin() as session:
        resident = session.get(Resident, 5)
        resident.flags, resident.flags_updated_at = "失能", dt.datetime(2026, 11, 20)
    found = {(f.resident_name, f.item.id, f.reason) for f in newly_eligible(sessions, _knowledge(), TODAY)}
    assert ("陈淑珍", "shineng_huli_butie", "登记为失能") in found
    assert not any(name == "张桂英" for name, _, _ in found)  # her flags are old news


def test_each_notice_is_given_once(sessions) -> None:
    with sessions.begin() as session:
        session.add(Resident(name="孙八十", gender="女", birth_date=dt.date(1946, 11, 10), flags=""))
    first = queue_notices(sessions, _knowledge(), TODAY)
    assert first > 0
    assert queue_notices(sessions, _knowledge(), TODAY) == 0
    with sessions() as session:
        texts = session.scalars(select(OutboxMessage.text).where(OutboxMessage.kind == "policy_notice")).all()
    assert any(text.startswith("您满80岁了，可以申请高龄津贴，每月100元。") for text in texts)


def test_notices_command(sessions, capsys) -> None:
    from bot.ops import cli

    assert cli.main(["notices", "--date", TODAY.isoformat()]) == 0
    assert "notices queued for 2026-11-23:" in capsys.readouterr().out


async def test_means_tested_items_do_not_say_no_from_missing_flags(sessions, dispatcher, domain) -> None:
    reply, _ = await ask("低保我能领吗", dispatcher, domain)  # 张桂英 has no 低保 flag recorded
    assert "我这里定不了" in reply and "不符合" not in reply


async def test_no_to_the_details(sessions, dispatcher, domain) -> None:
    offered = [user_event("低保怎么申请", "ask_policy"), {"event": "slot", "name": "policy_offered", "value": True}]
    tracker = make_tracker(offered + [user_event("不用了", "deny")], slots={**HOME_SLOTS, "policy_id": "dibao",
                                                                         "policy_offered": True})
    events = await ActionPolicyDetails().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_policy_no_details"]
    assert events[0]["name"] == "policy_offered" and events[0]["value"] is False


async def test_a_question_naming_no_policy_asks_which(sessions, dispatcher, domain) -> None:
    reply, slots = await ask("我想问政策", dispatcher, domain)
    assert reply.startswith("您想问哪方面的政策？比如高龄津贴、最低生活保障（低保）、长期护理保险。")
    assert len(dispatcher.messages[0]["buttons"]) == 3 and slots == {"policy_offered": False}


def test_a_question_pointing_back_at_the_item_is_told_from_a_booking() -> None:
    assert asks_about_item_just_discussed("能拿它买饭不")
    assert asks_about_item_just_discussed("这卡能买菜吗")
    assert not asks_about_item_just_discussed("那帮我订个饭")
    assert not asks_about_item_just_discussed("帮我订明天的午饭，送到家里来，要两份")


async def test_a_booking_right_after_a_policy_answer_goes_to_its_form(dispatcher, domain) -> None:
    tracker = make_tracker([user_event("那帮我订个饭", "book_meal")], slots={**HOME_SLOTS, "policy_id": "dibao"})
    events = await ActionAnswerPolicy().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "meal_booking_form"}]
    assert dispatcher.messages == []


async def test_what_can_i_get_then_a_follow_up_is_about_the_first_item_listed(sessions, dispatcher, domain) -> None:
    """"我八十五了，能领什么补贴" lists items, the largest first; "这个去哪儿办" is about that one."""
    reply, slots = await ask("我八十五了，能领什么补贴", dispatcher, domain)
    first = reply.split("可以申请：")[1].split("，")[0]
    assert slots["policy_id"] == "gaoling_jintie" and first == "高龄津贴"
    follow_up = type(dispatcher)()
    reply, _ = await ask("这个去哪儿办", follow_up, domain, slots={**HOME_SLOTS, **slots})
    assert reply.startswith("高龄津贴的去哪里办：")
