"""The community page: staff publish an activity, send a notice and see who has not heard it, and see
residents who sounded low several days in a row (CSRF, audited)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from actions.db.models import Activity, AuditLog, Checkin, NoticeReceipt
from actions.inbox import ResidentInbox, take_unread
from actions.outbox import deliver_pending
from tests.conftest import TODAY


def test_staff_publish_an_activity_and_a_past_time_is_refused(admin, sessions) -> None:
    past = admin.post("/community/activities", {"title": "防诈骗讲座", "starts_at": "2026-11-20 14:00",
                                                "place": "活动室", "capacity": "50"})
    assert past.status_code == 400 and "活动时间已经过去了" in past.text
    bad = admin.post("/community/activities", {"title": "防诈骗讲座", "starts_at": "后天下午",
                                               "place": "活动室", "capacity": "50"})
    assert bad.status_code == 400 and "2026-11-25 09:00" in bad.text
    done = admin.post("/community/activities", {"title": "反诈讲座：识破养老骗局", "kind": "讲座",
                                                "starts_at": "2026-11-26 14:30", "place": "幸福里社区活动室",
                                                "for_whom": "60岁以上居民", "capacity": "50"}, allow_redirects=False)
    assert done.status_code in (302, 303)
    with sessions() as session:
        row = session.scalars(select(Activity).where(Activity.title == "反诈讲座：识破养老骗局")).one()
        assert (row.starts_at, row.capacity, row.created_by) == (dt.datetime(2026, 11, 26, 14, 30), 50, "staff:1")
        (audit,) = session.scalars(select(AuditLog).where(AuditLog.action == "activity_published"))
        assert (audit.actor, audit.target) == ("staff:1", f"activity:{row.id}")
    page = admin.get("/community").text
    assert "反诈讲座：识破养老骗局" in page and "0 / 50" in page


def test_a_notice_shows_who_has_not_heard_it(admin, sessions) -> None:
    assert admin.post("/community/notices", {"text": "  "}).status_code == 400
    assert admin.post("/community/notices", {"text": "停水", "residents": "一,二"}).status_code == 400
    sent = admin.post("/community/notices", {"text": "明天高温38度，少出门，多喝水。", "residents": "1,2",
                                             "to_family": "1"}, allow_redirects=False)
    assert sent.status_code in (302, 303)
    with sessions() as session:
        (audit,) = session.scalars(select(AuditLog).where(AuditLog.action == "notice_sent"))
        assert audit.actor == "staff:1" and "family=True" in audit.detail
    deliver_pending(sessions, {"resident": ResidentInbox(sessions)})
    with sessions.begin() as session:
        assert take_unread(session, 1) == ["社区通知：明天高温38度，少出门，多喝水。"]
        names = {r.resident_id for r in session.scalars(select(NoticeReceipt).where(NoticeReceipt.heard_at.is_(None)))}
    assert names == {2}
    page = admin.get("/community").text
    assert "1 / 2" in page


def test_residents_low_three_days_in_a_row_are_listed(admin, sessions) -> None:
    with sessions.begin() as session:
        for back in range(3):
            day = TODAY - dt.timedelta(days=back)
            session.add(Checkin(resident_id=2, day=day, answered_at=dt.datetime.combine(day, dt.time(1)),
                                answer="心里闷，不想动", mood="low"))
        for back in range(3):
            day = TODAY - dt.timedelta(days=back)
            mood = "ok" if back == 1 else "low"
            session.add(Checkin(resident_id=1, day=day, answered_at=dt.datetime.combine(day, dt.time(1)),
                                answer="还行", mood=mood))
    page = admin.get("/community").text
    section = page.split('id="low-mood"')[1]
    assert 'data-resident="2"' in section and "心里闷，不想动" in section
    assert 'data-resident="1"' not in section


def test_staff_call_an_activity_off_and_everyone_signed_up_is_told_once(admin, sessions) -> None:
    from actions.activities import store
    from actions.db.models import OutboxMessage
    from tests.conftest import NOW

    assert store.sign_up(sessions, 1, 1, "resident:1", NOW).ok
    done = admin.post("/community/activities/1/cancel", allow_redirects=False)
    assert done.status_code in (302, 303)
    assert admin.post("/community/activities/1/cancel").status_code == 409
    with sessions() as session:
        assert session.get(Activity, 1).status == "cancelled"
        told = sorted(m.recipient for m in session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "activity_called_off")))
        (audit,) = session.scalars(select(AuditLog).where(AuditLog.action == "activity_called_off"))
    assert told[-1] == "resident:1" and any(r.startswith("family:") for r in told)
    assert audit.detail == "signed_up=1"
    assert store.sign_up(sessions, 1, 2, "resident:2", NOW).problem is store.Problem.CLOSED
    assert "已取消" in admin.get("/community").text
