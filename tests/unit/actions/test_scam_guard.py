"""The scam guard: the words of frauds, the warning for each, one record on the staff desk, family told once."""
from __future__ import annotations

from sqlalchemy import select

from actions.db.models import Alert, AlertWord, OutboxMessage
from actions.safety.scam import ActionScamWarning
from bot.kernel.words.scam import match_scam
from tests.conftest import make_tracker, user_event
from tests.unit.actions.form_driver import HOME_SLOTS


def test_the_words_of_frauds() -> None:
    assert match_scam("刚才有人打电话，说我孙子开车撞了人，让我赶紧打钱过去") == "call"
    assert match_scam("有个警察打电话说我涉嫌洗钱，让我把钱转到安全账户") == "call"
    assert match_scam("门口来了个人，说是燃气公司的，要进来查燃气换个阀门，收两百") == "door"
    assert match_scam("楼下有人发传单，去听讲座白送鸡蛋，还说他那药能治高血压") == "product"
    for ordinary in ("帮我订明天的午饭", "我儿子住院了", "高血压能领什么补贴", "燃气灶打不着火了"):
        assert match_scam(ordinary) is None, ordinary


async def test_a_fraud_is_warned_recorded_and_the_family_told_once(sessions, dispatcher, domain) -> None:
    first = make_tracker([user_event("刚才有人打电话，说我孙子开车撞了人，让我赶紧打钱过去", "scam_warning")],
                         slots=HOME_SLOTS)
    await ActionScamWarning().run(dispatcher, first, domain)
    text = dispatcher.messages[0]["text"]
    assert "别转账" in text and "110" in text and text.count("？") == 0
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["让家人给我打电话", "找工作人员"]
    again = type(dispatcher)()
    await ActionScamWarning().run(again, make_tracker(
        [user_event("他在电话里哭着喊奶奶，听着真像我孙子", "scam_warning")], slots=HOME_SLOTS), domain)
    assert "别信" in again.messages[0]["text"]
    with sessions() as session:
        [alert] = session.scalars(select(Alert).where(Alert.kind == "scam"))
        words = session.scalars(select(AlertWord).where(AlertWord.alert_id == alert.id)).all()
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "scam")).all()
    assert alert.resident_id == 1 and alert.repeats == 2 and len(words) == 1
    assert len(notices) == 1 and "【防骗提醒】张桂英" in notices[0].text and "给她打个电话" in notices[0].text


async def test_the_safe_thing_done_is_praised_not_warned_again(sessions, dispatcher, domain) -> None:
    first = make_tracker([user_event("门口来了个人，说是燃气公司的，要进来换阀门，收两百", "scam_warning")],
                         slots=HOME_SLOTS)
    await ActionScamWarning().run(dispatcher, first, domain)
    done = type(dispatcher)()
    await ActionScamWarning().run(done, make_tracker([user_event("我没给他开门", "share_feelings")],
                                                     slots=HOME_SLOTS), domain)
    assert "做得对" in done.messages[0]["text"] and "别信" not in done.messages[0]["text"]


async def test_still_going_to_the_free_eggs_talk_is_not_praised(sessions, dispatcher, domain) -> None:
    """"我就去领个鸡蛋，啥也不买" after the sales-talk warning: still going, so a plain no-go; "那我不去了" is praised."""
    await ActionScamWarning().run(dispatcher, make_tracker(
        [user_event("楼下有人发传单，去听讲座白送鸡蛋，还说他那药能治高血压", "scam_warning")], slots=HOME_SLOTS), domain)
    going = type(dispatcher)()
    await ActionScamWarning().run(going, make_tracker(
        [user_event("我就去领个鸡蛋，啥也不买", "ask_policy")], slots=HOME_SLOTS), domain)
    assert going.messages[0]["text"].startswith("还是别去了") and "别买" in going.messages[0]["text"]
    staying = type(dispatcher)()
    await ActionScamWarning().run(staying, make_tracker(
        [user_event("那我不去了，没买", "inform")], slots=HOME_SLOTS), domain)
    assert staying.messages[0]["text"].startswith("您做得对")
