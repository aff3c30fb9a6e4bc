"""Staff add and stop a resident's reminders on the resident's page and see the week's adherence (CSRF, audited)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, Reminder, ReminderOccurrence

pytestmark = pytest.mark.both_databases


def test_staff_add_one_see_it_with_the_week_and_stop_it(admin, sessions) -> None:
    assert "没有提醒。" in admin.get("/residents/1").text
    done = admin.post("/residents/1/reminders", {"what": "吃降压药", "time": "21:00", "daily": "1"},
                      allow_redirects=False)
    assert done.status_code in (302, 303)
    with sessions() as session:
        row = session.scalars(select(Reminder)).one()
        assert (row.resident_id, row.what, row.time, row.daily, row.created_by) == (1, "吃降压药", "21:00", True,
                                                                                     "staff:1")
        session.add(ReminderOccurrence(reminder_id=row.id, resident_id=1, due_at=dt.datetime(2026, 11, 22, 13, 0),
                                       status="missed"))
        session.commit()
        reminder_id = row.id
    page = admin.get("/residents/1").text
    assert "每天晚上九点吃降压药" in page and "工作人员" in page
    assert "本周：这一周还没有到时候的提醒。" in page  # Sunday's miss belongs to last week (Monday 08:00 now)
    admin.post(f"/residents/1/reminders/{reminder_id}/stop", {})
    with sessions() as session:
        assert session.get(Reminder, reminder_id).active is False
        actions = list(session.scalars(select(AuditLog.action).where(AuditLog.target == f"reminder:{reminder_id}")))
    assert actions == ["reminder_set", "reminder_stop"]


def test_a_missing_time_or_a_past_day_is_refused(admin, sessions) -> None:
    wrong = admin.post("/residents/1/reminders", {"what": "复查", "time": "早上"})
    assert wrong.status_code == 400 and "21:00" in wrong.text
    past = admin.post("/residents/1/reminders", {"what": "复查", "time": "09:00", "day": "2026-11-20"})
    assert past.status_code == 400 and "已经过去" in past.text
    with sessions() as session:
        assert session.scalars(select(Reminder)).all() == []


def test_another_residents_reminder_cannot_be_stopped_from_this_page(admin, sessions) -> None:
    admin.post("/residents/2/reminders", {"what": "吃药", "time": "08:00", "daily": "1"})
    with sessions() as session:
        reminder_id = session.scalars(select(Reminder.id)).one()
    assert admin.post(f"/residents/1/reminders/{reminder_id}/stop", {}).status_code == 404
    with sessions() as session:
        assert session.get(Reminder, reminder_id).active is True


def test_the_doors_are_locked_without_the_csrf_token_or_a_session(admin, sessions) -> None:
    base = admin.base
    forged = admin.http.post(f"{base}/residents/1/reminders", data={"what": "吃药", "time": "21:00", "daily": "1"},
                             timeout=30, allow_redirects=False)
    assert forged.status_code == 403
    import requests

    stranger = requests.post(f"{base}/residents/1/reminders", data={"what": "吃药", "time": "21:00", "daily": "1"},
                             timeout=30, allow_redirects=False)
    assert stranger.status_code in (302, 303, 401, 403)
    with sessions() as session:
        assert session.scalars(select(Reminder)).all() == []
