"""Policy questions in Chinese over HTTP through the real Rasa server and action server."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from actions.db.models import Resident
from actions.outbox import deliver_pending
from actions.policies.knowledge import load_knowledge
from actions.policies.notices import queue_notices
from bot.kernel.contract import ChannelMetadata
from bot.kernel.settings import PROJECT_ROOT
from bot.workers.outbox import default_receivers
from tests.conftest import TODAY

pytestmark = pytest.mark.e2e


def kiosk(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home")


def _sender() -> str:
    return f"policy-{uuid.uuid4().hex[:8]}"


def test_answer_then_details(client) -> None:
    sender = _sender()
    answer = client.send(sender, "高龄津贴怎么领", kiosk(5))
    assert answer.text.startswith("年满八十岁的老人，每个月都能领高龄津贴。")
    assert "要听申请材料" in answer.text and [b.title for b in answer.buttons] == ["要", "不用了"]
    details = client.send(sender, "要", kiosk(5))
    assert details.text.startswith("申请材料：身份证") and "010-6688-1234" in details.text
    assert "好的。还有什么需要帮忙的吗" in client.send(sender, "好的", kiosk(5)).text  # nothing pending now


def test_homophone_and_spaced_out_speech(client) -> None:
    turn = client.send(_sender(), "底 保 怎 么 申 请", kiosk(5))
    assert "低保" in turn.text


def test_eligibility_with_age_in_the_sentence_and_from_the_profile(client) -> None:
    said = client.send(_sender(), "我八十二了能领多少高龄津贴", ChannelMetadata(channel="kiosk"))
    assert said.text.startswith("您82岁，可以申请高龄津贴，每月100元。")
    profile = client.send(_sender(), "高龄津贴我能领吗", kiosk(4))  # 刘德明, 88
    assert profile.text.startswith("您88岁，可以申请高龄津贴，每月100元。")
    younger = client.send(_sender(), "高龄津贴我能领吗", kiosk(5))  # 陈淑珍, 70
    assert "现在还不符合高龄津贴的条件：要满80岁" in younger.text


def test_ambiguous_question_asks_which_then_answers(client) -> None:
    sender = _sender()
    which = client.send(sender, "康复辅具怎么弄", kiosk(1))
    assert which.text.startswith("您问的是哪一个？") and 2 <= len(which.buttons) <= 3
    chosen = client.send(sender, which.buttons[0].payload, kiosk(1))
    assert "要听申请材料" in chosen.text


def test_no_match_offers_the_hotline(client) -> None:
    turn = client.send(_sender(), "那个什么补贴来着我忘了叫啥", kiosk(1))
    assert turn.text.startswith("这个我没有找到。") and "12345" in turn.text


def test_a_resident_who_turned_80_is_told_once_at_the_kiosk(client, db) -> None:
    with db.begin() as session:
        newcomer = Resident(name="周玉梅", gender="女", birth_date=dt.date(1946, 11, 3), phone="13300001111")
        session.add(newcomer)
        session.flush()
        resident_id = newcomer.id
    knowledge = load_knowledge(PROJECT_ROOT / "data" / "policies")
    assert queue_notices(db, knowledge, TODAY) >= 1
    assert queue_notices(db, knowledge, TODAY) == 0
    deliver_pending(db, default_receivers(db))
    greeting = client.send(_sender(), "你好", kiosk(resident_id))
    assert "您满80岁了，可以申请高龄津贴，每月100元。" in greeting.text
    assert "满80岁" not in client.send(_sender(), "你好", kiosk(resident_id)).text


def test_a_bare_homophone_of_a_policy_name_is_answered(client) -> None:
    turn = client.send(_sender(), "底保", kiosk(5))
    assert "低保" in turn.text and "要听申请材料" in turn.text
