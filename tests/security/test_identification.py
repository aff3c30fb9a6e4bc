"""Finding: the community kiosk's identification could be guessed (name + last four digits, three tries per
conversation but unlimited conversations, without the channel secret), then 生成家属绑定码 handed over the
family link; the flow told whether a name was a resident's; the caller set the alert's place."""
from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import func, select

from actions.db.models import Alert, AuditLog, HandoffRequest, LinkCode
from bot.kernel.contract import WEBHOOK_PATH, ChannelMetadata

pytestmark = pytest.mark.e2e

COMMUNITY = ChannelMetadata(channel="kiosk", role="anonymous", kiosk_mode="community", location="幸福里社区服务中心")


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _post(stack, body: dict, secret: bool = False) -> requests.Response:
    headers = {"X-Xiaonuan-Secret": stack.settings.channel_secret} if secret else {}
    return requests.post(stack.rasa_url + WEBHOOK_PATH, json=body, headers=headers, timeout=60)


def _text(answer: requests.Response) -> str:
    return "\n".join(m.get("text", "") for m in answer.json())


def test_kiosk_metadata_without_the_secret_is_refused(stack) -> None:
    for metadata in ({"channel": "kiosk", "kiosk_mode": "community"}, {"location": "假地址"},
                     {"channel": "telegram"}, {"kiosk_mode": "home"}):
        assert _post(stack, {"sender": _sender("web"), "message": "你好", "metadata": metadata}).status_code == 401


def test_a_web_caller_gets_no_identification_flow(stack, db) -> None:
    sender = _sender("web")
    greeting = _post(stack, {"sender": sender, "message": "你好"})
    assert greeting.status_code == 200 and "名字" not in _text(greeting)
    with db() as session:
        codes = session.scalar(select(func.count(LinkCode.id)))
    asked = _text(_post(stack, {"sender": sender, "message": "生成家属绑定码"}))
    assert "名字" not in asked and "绑定码是" not in asked
    assert "办不了" in asked or "工作人员" in asked
    for guess in ("张桂英", "1234", "对"):
        assert "张奶奶" not in _text(_post(stack, {"sender": sender, "message": guess}))
    with db() as session:
        assert session.scalar(select(func.count(LinkCode.id))) == codes


def test_a_web_callers_alert_does_not_take_the_place_it_claims(stack, db) -> None:
    sender = _sender("web")
    assert _post(stack, {"sender": sender, "message": "救命", "metadata": {"location": "假地址"}}).status_code == 401
    answer = _post(stack, {"sender": sender, "message": "救命"})
    assert "120" in _text(answer)
    with db() as session:
        alert = session.scalars(select(Alert).where(Alert.sender_id == f"anon:web-{sender}")).one()
    assert alert.location == "未验证的网络来源" and alert.resident_id is None


def test_the_answer_does_not_tell_whether_a_name_is_a_residents(client) -> None:
    answers = []
    for name in ("张桂英", "王小明"):  # a resident, and a name nobody here has
        sender = _sender("kiosk-community")
        client.send(sender, "你好", COMMUNITY)
        after_name = client.send(sender, name, COMMUNITY).text
        after_digits = client.send(sender, "9999", COMMUNITY).text
        answers.append((after_name, after_digits))
    assert answers[0] == answers[1], answers


def test_a_community_kiosk_session_cannot_issue_a_link_code(client, db) -> None:
    sender = _sender("kiosk-community")
    client.send(sender, "你好", COMMUNITY)
    client.send(sender, "张桂英", COMMUNITY)
    client.send(sender, "1234", COMMUNITY)
    assert "张奶奶" in client.send(sender, "对", COMMUNITY).text  # the happy path: identified
    with db() as session:
        codes = session.scalar(select(func.count(LinkCode.id)))
    refused = client.send(sender, "生成家属绑定码", COMMUNITY).text
    assert "不能生成家属绑定码" in refused and "家里" in refused
    with db() as session:
        assert session.scalar(select(func.count(LinkCode.id))) == codes


def test_a_home_kiosk_still_issues_a_link_code(client) -> None:
    home = ChannelMetadata(channel="kiosk", role="resident", resident_id=3, kiosk_mode="home", location="李家客厅")
    assert "家属绑定码是" in client.send(_sender("kiosk-home-3"), "生成家属绑定码", home).text


def test_failures_naming_one_resident_lock_her_out_across_conversations_and_staff_are_told(client, db,
                                                                                           stack) -> None:
    limit = stack.settings.identify_failures_per_resident
    kiosk = ChannelMetadata(channel="kiosk", role="anonymous", kiosk_mode="community", location="测试机-居民上限")
    for attempt in range(limit):  # a new conversation each time, as the guesser did
        sender = _sender("kiosk-community")
        client.send(sender, "你好", kiosk)
        client.send(sender, "王建国", kiosk)
        last = client.send(sender, f"{1000 + attempt}", kiosk).text
    assert "暂时不能确认身份" in last and "工作人员" in last
    sender = _sender("kiosk-community")
    client.send(sender, "你好", kiosk)
    client.send(sender, "王建国", kiosk)
    right = client.send(sender, "5678", kiosk).text  # even the right digits now wait for staff
    assert "暂时不能确认身份" in right and "王爷爷" not in right
    with db() as session:
        told = session.scalars(select(HandoffRequest).where(HandoffRequest.reason == "identify_locked")).all()
        locked = session.scalars(select(AuditLog).where(AuditLog.action == "identify_locked")).all()
    assert any(h.resident_id == 2 for h in told) and any(a.target == "resident:2" for a in locked)


def test_failures_at_one_kiosk_lock_that_kiosk(client, db, stack) -> None:
    limit = stack.settings.identify_failures_per_kiosk
    kiosk = ChannelMetadata(channel="kiosk", role="anonymous", kiosk_mode="community", location="测试机-机器上限")
    names = iter(["王小明", "李大伟", "陈美玲", "周建华", "吴秀芳", "郑国强", "孙丽娟", "马德胜", "朱海涛", "胡文军",
                  "林志强", "黄淑珍"])
    answer = ""
    for _attempt in range(limit):
        sender = _sender("kiosk-community")
        client.send(sender, "你好", kiosk)
        client.send(sender, next(names), kiosk)
        answer = client.send(sender, "1111", kiosk).text
    assert "暂时不能确认身份" in answer
    sender = _sender("kiosk-community")
    client.send(sender, "你好", kiosk)
    assert "暂时不能确认身份" in client.send(sender, "张桂英", kiosk).text
    with db() as session:
        assert session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "identify_locked", AuditLog.target == "kiosk:测试机-机器上限")) == 1
