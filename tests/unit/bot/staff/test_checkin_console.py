"""Staff switch the daily check-in on or off and choose its time on a resident's page (CSRF, audited)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, Checkin, CheckinPlan
from tests.conftest import TODAY

pytestmark = pytest.mark.both_databases


def test_on_by_default_for_living_alone_and_staff_change_it(admin, sessions) -> None:
    page = admin.get("/residents/1")
    assert "每日问候" in page.text and "独居老人默认开启" in page.text and 'value="09:00"' in page.text
    done = admin.post("/residents/1/checkin", {"checkin_enabled": "1", "checkin_time": "８:３０"},
                      allow_redirects=False)
    assert done.status_code in (302, 303)
    with sessions() as session:
        plan = session.get(CheckinPlan, 1)
        assert (plan.enabled, plan.time, plan.updated_by) == (True, "08:30", "staff:1")
        (audit,) = session.scalars(select(AuditLog).where(AuditLog.action == "checkin_plan_set"))
        assert (audit.actor, audit.target) == ("staff:1", "resident:1")
    admin.post("/residents/1/checkin", {"checkin_time": "08:30"})
    with sessions() as session:
        assert session.get(CheckinPlan, 1).enabled is False
    assert "独居老人默认开启" not in admin.get("/residents/1").text


def test_a_bad_time_is_refused_and_nothing_changes(admin, sessions) -> None:
    wrong = admin.post("/residents/1/checkin", {"checkin_enabled": "1", "checkin_time": "早上"})
    assert wrong.status_code == 400 and "09:00" in wrong.text
    with sessions() as session:
        assert session.get(CheckinPlan, 1) is None


def test_staff_see_what_was_answered(admin, sessions) -> None:
    with sessions.begin() as session:
        session.add(Checkin(resident_id=1, day=TODAY, asked_at=dt.datetime(2026, 11, 23, 1, 0), tries=1,
                            answered_at=dt.datetime(2026, 11, 23, 1, 2), answer="没睡好", mood="low"))
    page = admin.get("/residents/1").text
    assert "没睡好" in page and "不太好" in page and "09:02" in page
