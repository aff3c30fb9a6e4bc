"""Activity sign-ups on the real database: places held exactly, cancelling, the reminder the day before."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from actions.activities import store
from actions.db.models import Activity, ActivitySignup, OutboxMessage, Resident
from tests.conftest import NOW

pytestmark = pytest.mark.both_databases


def _publish(sessions, capacity: int = 5, days: int = 2) -> int:
    new = store.NewActivity(title="义诊：量血压", starts_at=NOW + dt.timedelta(days=days, hours=1),
                            place="社区服务中心", capacity=capacity, kind="义诊")
    assert store.check_new(new, NOW) is None
    return store.publish(sessions, new, "staff:1")


def _extra_residents(sessions, count: int) -> list:
    with sessions.begin() as session:
        rows = [Resident(name=f"居民{i}", birth_date=dt.date(1945, 1, 1)) for i in range(count)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def test_publishing_refuses_a_time_in_the_past_and_a_bad_capacity() -> None:
    past = store.NewActivity(title="讲座", starts_at=NOW - dt.timedelta(hours=1), place="", capacity=10)
    assert store.check_new(past, NOW) == "活动时间已经过去了，请选以后的时间。"
    none = store.NewActivity(title="讲座", starts_at=NOW + dt.timedelta(days=1), place="", capacity=0)
    assert store.check_new(none, NOW) == "名额要在1到10000之间。"


def test_sign_up_then_cancel_gives_the_place_back_and_tells_the_family(sessions) -> None:
    activity_id = _publish(sessions)
    result = store.sign_up(sessions, activity_id, 1, "resident:1", NOW, message_id="m-1")
    assert result.ok
    assert store.sign_up(sessions, activity_id, 1, "resident:1", NOW, message_id="m-1").replayed
    assert store.sign_up(sessions, activity_id, 1, "resident:1", NOW).problem is store.Problem.ALREADY
    with sessions() as session:
        assert session.get(Activity, activity_id).booked == 1
        notices = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "activity_booked")))
    assert notices and all(n.recipient.startswith("family:") for n in notices)
    assert "报好名了" in notices[0].text
    assert store.cancel(sessions, result.signup_id, "resident:1", NOW) is None
    assert store.cancel(sessions, result.signup_id, "resident:1", NOW) is None  # twice: still one place back
    with sessions() as session:
        assert session.get(Activity, activity_id).booked == 0
        assert session.get(ActivitySignup, result.signup_id).status == "cancelled"
    again = store.sign_up(sessions, activity_id, 1, "resident:1", NOW)
    assert again.ok and again.signup_id == result.signup_id


def test_a_past_or_full_activity_is_refused(sessions) -> None:
    activity_id = _publish(sessions, capacity=1)
    assert store.sign_up(sessions, activity_id, 1, "resident:1", NOW).ok
    assert store.sign_up(sessions, activity_id, 2, "resident:2", NOW).problem is store.Problem.FULL
    later = NOW + dt.timedelta(days=3)
    assert store.sign_up(sessions, activity_id, 3, "resident:3", later).problem is store.Problem.PAST


@pytest.mark.parametrize("capacity", [40])
def test_100_concurrent_sign_ups_take_exactly_the_capacity(sessions, capacity) -> None:
    activity_id = _publish(sessions, capacity=capacity)
    residents = _extra_residents(sessions, 100)
    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(
            lambda rid: store.sign_up(sessions, activity_id, rid, f"resident:{rid}", NOW, message_id=f"c-{rid}"),
            residents))
    assert sum(r.ok for r in results) == capacity
    assert all(r.problem is store.Problem.FULL for r in results if not r.ok)
    with sessions() as session:
        assert session.get(Activity, activity_id).booked == capacity
        assert session.scalar(select(func.count(ActivitySignup.id)).where(
            ActivitySignup.activity_id == activity_id, ActivitySignup.status == "booked")) == capacity


def test_the_reminder_the_day_before_is_queued_once(sessions) -> None:
    activity_id = _publish(sessions, days=1)
    assert store.sign_up(sessions, activity_id, 1, "resident:1", NOW).ok
    assert store.remind_tomorrow(sessions, NOW) == 0  # 08:00: too early in the morning
    ten = NOW + dt.timedelta(hours=2)
    assert store.remind_tomorrow(sessions, ten) == 1
    assert store.remind_tomorrow(sessions, ten) == 0
    with sessions() as session:
        reminders = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "activity_reminder")))
    assert [r.recipient for r in reminders] == ["resident:1"]
    assert reminders[0].text.startswith("提醒您：明天有义诊：量血压")


def test_demo_activities_are_seeded_in_the_future(sessions) -> None:
    with sessions() as session:
        titles = [a.title for a in store.upcoming(session, NOW, ("义诊",))]
    assert titles == ["义诊：量血压、测血糖"]
