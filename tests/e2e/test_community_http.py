"""Community life through the real Rasa and action servers, on the frozen clock (Monday 2026-11-23 08:00):
activities asked about, signed up for with the read-back, booked to capacity by 100 concurrent attempts,
reminded the day before and cancelled; a notice from staff heard at the next conversation, or not yet."""
from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from actions.activities import store
from actions.community_notices import send
from actions.db.models import Activity, ActivitySignup, NoticeReceipt, OutboxMessage, Resident
from actions.inbox import ResidentInbox
from actions.outbox import deliver_pending
from bot.kernel.contract import ChannelMetadata, button_payload
from tests.conftest import NOW

pytestmark = pytest.mark.e2e


def _home(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home")


def _sender(resident_id: int) -> str:
    return f"kiosk-home-{resident_id}-{uuid.uuid4().hex[:8]}"


def _clinic(db) -> Activity:
    with db() as session:
        return session.scalars(select(Activity).where(Activity.title == "义诊：量血压、测血糖")).one()


def test_asked_about_signed_up_with_the_read_back_reminded_and_cancelled(client, db) -> None:
    sender = _sender(4)
    asked = client.send(sender, "最近有义诊吗", _home(4))
    assert "义诊：量血压、测血糖，11月25日（星期三）上午9点，在幸福里社区服务中心一楼" in asked.text, asked.text
    assert "报名义诊：量血压、测血糖" in [b.title for b in asked.buttons]
    before = _clinic(db).booked
    read = client.send(sender, "义诊我要去，帮我报上", _home(4))
    assert read.text.startswith("我念一下：给您报名义诊：量血压、测血糖"), read.text
    assert _clinic(db).booked == before, "nothing is written before yes"
    done = client.send(sender, "对", _home(4))
    assert done.text.startswith("报好名了"), done.text
    assert _clinic(db).booked == before + 1
    again = client.send(sender, "帮我报名义诊", _home(4))
    assert "您已经报上义诊：量血压、测血糖了" in again.text
    # The day before (Tuesday from 9:00) the care round queues the reminder for the kiosk.
    assert store.remind_tomorrow(db, NOW + dt.timedelta(days=1, hours=2)) >= 1
    with db() as session:
        reminder = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "activity_reminder", OutboxMessage.recipient == "resident:4")).one()
    assert reminder.text.startswith("提醒您：明天有义诊：量血压、测血糖")
    cancel = client.send(sender, "义诊我不去了，帮我取消报名", _home(4))
    assert cancel.text.startswith("我念一下：取消义诊"), cancel.text
    cancelled = client.send(sender, "对", _home(4))
    assert "取消好了" in cancelled.text
    assert _clinic(db).booked == before


def test_a_no_after_the_read_back_signs_nothing(client, db) -> None:
    sender = _sender(5)
    read = client.send(sender, "防诈骗讲座给我报个名", _home(5))
    assert read.text.startswith("我念一下：给您报名防诈骗讲座"), read.text
    answer = client.send(sender, "不对", _home(5))
    assert "先不办了" in answer.text
    with db() as session:
        assert session.scalars(select(ActivitySignup).where(ActivitySignup.resident_id == 5)).first() is None


def test_one_hundred_people_at_once_take_exactly_the_places(client, db) -> None:
    capacity = 30
    activity_id = store.publish(db, store.NewActivity(title="智能手机课：学挂号", starts_at=NOW + dt.timedelta(days=5),
                                                      place="活动室", capacity=capacity, kind="课程"), "staff:1")
    with db.begin() as session:
        people = [Resident(name=f"报名居民{i}", birth_date=dt.date(1948, 5, 1)) for i in range(100)]
        session.add_all(people)
        session.flush()
        ids = [p.id for p in people]
    pressed = button_payload("signup_activity", activity_id=str(activity_id))

    def attempt(resident_id: int) -> str:
        """Both answers: full is said at the read-back when the places are gone by then, else after yes."""
        sender = _sender(resident_id)
        read = client.send(sender, pressed, _home(resident_id)).text
        if "名额已经满了" in read:
            return read
        return client.send(sender, "对", _home(resident_id)).text

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(attempt, ids))
    assert sum(a.startswith("报好名了") for a in answers) == capacity
    assert all("名额已经满了" in a for a in answers if not a.startswith("报好名了"))
    with db() as session:
        assert session.get(Activity, activity_id).booked == capacity
        assert len(session.scalars(select(ActivitySignup.id).where(
            ActivitySignup.activity_id == activity_id, ActivitySignup.status == "booked")).all()) == capacity


def test_a_notice_is_heard_at_the_next_conversation_and_the_others_have_not_heard_it(client, db) -> None:
    notice_id = send(db, "明天上午8点到12点停水，请提前接好水。", [3, 6], False, "staff:1")
    deliver_pending(db, {"resident": ResidentInbox(db)})
    answer = client.send(_sender(3), "你好", _home(3))
    assert "社区通知：明天上午8点到12点停水，请提前接好水。" in answer.text, answer.text
    with db() as session:
        heard = {r.resident_id: r.heard_at is not None for r in session.scalars(
            select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id))}
    assert heard == {3: True, 6: False}
