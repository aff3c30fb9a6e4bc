"""The escalation ladder on a frozen clock: 0 s (the desk only), 61 s (re-sounded, family told), 181 s (every
staff account called, the phones shown); each rung once, nothing after acknowledgement, safe to run twice."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select, update

from actions.db.models import Alert, AlertEscalation, AuditLog, FamilyLink, FamilyMember, OutboxMessage, StaffNotice, StaffUser
from actions.safety.ladder import Climb, community_phones, escalate
from actions.safety.records import raise_or_join
from bot.kernel.clock import utc_now
from bot.kernel.settings import load_settings
from bot.workers.escalation import EscalationWorker
from tests.conftest import NOW

pytestmark = pytest.mark.both_databases

RESIDENT = 2  # 王建国, with linked family in the demo district


def _raise(resident_id: int = RESIDENT, kind: str = "fall") -> int:
    raised = raise_or_join(resident_id, f"ladder-{resident_id}-{kind}", "kiosk", "我摔倒了 起不来", kind,
                           "家里", NOW, None)
    assert raised.is_new
    return raised.alert_id


def _count(sessions, model, *where) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _family_notices(sessions, alert_id: int) -> int:
    return _count(sessions, OutboxMessage, OutboxMessage.key.like(f"alert:{alert_id}:family:%"))


def _add_staff(sessions, username: str) -> None:
    with sessions.begin() as session:
        session.add(StaffUser(username=username, display_name=username, role="staff"))


def _link_new_relative(sessions, resident_id: int) -> int:
    """A relative linked after the alert was raised: not told at once, so the 60 s rung tells them."""
    with sessions.begin() as session:
        member = FamilyMember(name="王小妹", phone="13900003333")
        session.add(member)
        session.flush()
        session.add(FamilyLink(family_member_id=member.id, resident_id=resident_id, relation="女儿"))
        return member.id


def test_each_rung_once_on_a_frozen_clock(sessions) -> None:
    settings = load_settings()
    start = utc_now(settings)
    alert_id = _raise()
    told_at_once = _family_notices(sessions, alert_id)
    assert told_at_once >= 1, "linked family are told when the alert is raised"
    newcomer = _link_new_relative(sessions, RESIDENT)
    _add_staff(sessions, "xiaowang")
    staff_accounts = _count(sessions, StaffUser)
    assert staff_accounts == 2

    assert escalate(sessions, start, settings) == []  # 0 s: on the desk, nothing more
    assert escalate(sessions, start + dt.timedelta(seconds=59), settings) == []
    with sessions() as session:
        assert session.get(Alert, alert_id).escalated == 0
    assert _count(sessions, AlertEscalation) == 0

    at_61 = start + dt.timedelta(seconds=61)
    assert escalate(sessions, at_61, settings) == [Climb(alert_id, 1, family_told=1)]
    assert escalate(sessions, at_61, settings) == []  # run twice: nothing more
    assert escalate(sessions, start + dt.timedelta(seconds=179), settings) == []
    with sessions() as session:
        alert = session.get(Alert, alert_id)
        assert (alert.status, alert.escalated) == ("open", 1)
        rung = session.scalars(select(AlertEscalation).where(AlertEscalation.alert_id == alert_id)).one()
        assert (rung.rung, rung.after_s, rung.created_at) == (1, 60, at_61)
        assert session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.key == f"alert:{alert_id}:family:{newcomer}")) is not None
    assert _family_notices(sessions, alert_id) == told_at_once + 1, "the ones told at once are not told again"
    assert _count(sessions, StaffNotice) == 0

    at_181 = start + dt.timedelta(seconds=181)
    assert escalate(sessions, at_181, settings) == [Climb(alert_id, 2, staff_called=staff_accounts)]
    assert escalate(sessions, at_181, settings) == []
    assert escalate(sessions, start + dt.timedelta(hours=2), settings) == []  # the top rung is the last
    with sessions() as session:
        assert session.get(Alert, alert_id).escalated == 2
        assert [r.rung for r in session.scalars(select(AlertEscalation).order_by(AlertEscalation.rung))] == [1, 2]
        notices = list(session.scalars(select(StaffNotice).order_by(StaffNotice.staff_id)))
        assert len(notices) == staff_accounts and all(n.alert_id == alert_id and n.seen_at is None for n in notices)
        assert "3分钟没有人确认" in notices[0].text and "010-6688-1234" in notices[0].text
        audit = list(session.scalars(select(AuditLog.detail).where(AuditLog.action == "alert_escalated")
                                     .order_by(AuditLog.id)))
        assert len(audit) == 2 and audit[0].startswith("rung=1") and audit[1].startswith("rung=2")
    assert _family_notices(sessions, alert_id) == told_at_once + 1


def test_an_acknowledged_alert_stops_climbing(sessions) -> None:
    settings = load_settings()
    start = utc_now(settings)
    alert_id = _raise()
    assert [c.rung for c in escalate(sessions, start + dt.timedelta(seconds=61), settings)] == [1]
    with sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(
            status="acknowledged", acknowledged_at=start + dt.timedelta(seconds=90), acknowledged_by="staff:1 社区管理员"))
    assert escalate(sessions, start + dt.timedelta(seconds=181), settings) == []
    assert escalate(sessions, start + dt.timedelta(hours=1), settings) == []
    assert _count(sessions, StaffNotice) == 0
    with sessions() as session:
        assert session.get(Alert, alert_id).escalated == 1


def test_acknowledged_within_a_minute_never_climbs(sessions) -> None:
    settings = load_settings()
    start = utc_now(settings)
    alert_id = _raise()
    with sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(status="acknowledged",
                                                                         acknowledged_at=start))
    for seconds in (0, 61, 181):
        assert escalate(sessions, start + dt.timedelta(seconds=seconds), settings) == []
    assert _count(sessions, AlertEscalation) == 0


def test_a_late_round_takes_both_rungs_in_order_and_fraud_warnings_do_not_climb(sessions) -> None:
    settings = load_settings()
    start = utc_now(settings)
    alert_id = _raise()
    scam_id = _raise(resident_id=3, kind="scam")
    climbs = escalate(sessions, start + dt.timedelta(minutes=10), settings)
    assert [(c.alert_id, c.rung) for c in climbs] == [(alert_id, 1), (alert_id, 2)]
    with sessions() as session:
        assert session.get(Alert, scam_id).escalated == 0


def test_the_ladder_follows_the_setting(sessions, monkeypatch) -> None:
    monkeypatch.setenv("XIAONUAN_ESCALATION", "30,90")
    settings = load_settings()
    assert settings.escalation_s == (30, 90)
    start = utc_now(settings)
    alert_id = _raise()
    assert [c.rung for c in escalate(sessions, start + dt.timedelta(seconds=31), settings)] == [1]
    assert [c.rung for c in escalate(sessions, start + dt.timedelta(seconds=91), settings)] == [2]
    with sessions() as session:
        assert [r.after_s for r in session.scalars(select(AlertEscalation).where(AlertEscalation.alert_id == alert_id)
                                                   .order_by(AlertEscalation.rung))] == [30, 90]


def test_two_workers_at_once_take_each_rung_once(sessions) -> None:
    settings = load_settings()
    start = utc_now(settings)
    _raise()
    _add_staff(sessions, "xiaoli")
    barrier = threading.Barrier(2, timeout=30)
    results: list = []

    def worker() -> None:
        barrier.wait()
        results.append(escalate(sessions, start + dt.timedelta(seconds=200), settings))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2
    assert sorted(c.rung for climbs in results for c in climbs) == [1, 2]
    assert _count(sessions, AlertEscalation) == 2
    assert _count(sessions, StaffNotice) == 2


def test_the_phones_at_the_top_rung_come_from_the_settings() -> None:
    settings = load_settings({"XIAONUAN_COMMUNITY_PHONE": "010-1111-2222",
                              "XIAONUAN_ESCALATION_PHONES": "值班主任 13900001111，社区卫生站 010-66880000"})
    assert community_phones(settings) == ["社区服务中心 010-1111-2222", "值班主任 13900001111", "社区卫生站 010-66880000"]


@pytest.mark.parametrize("raw", ["180,60", "0,60", "60", "sixty,180"])
def test_a_ladder_that_does_not_climb_is_refused(raw) -> None:
    with pytest.raises(ValueError, match="XIAONUAN_ESCALATION"):
        load_settings({"XIAONUAN_ESCALATION": raw})


def test_the_worker_climbs_on_the_settings_clock(sessions) -> None:
    alert_id = _raise()
    later = (NOW + dt.timedelta(seconds=61)).isoformat()
    settings = load_settings().with_overrides(fixed_now=later, escalation_check_every_s=0.05)
    worker = EscalationWorker(settings, sessions).start()
    try:
        deadline = time.monotonic() + 20
        while _count(sessions, AlertEscalation) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.running
    finally:
        worker.stop()
    assert not worker.running
    with sessions() as session:
        assert session.get(Alert, alert_id).escalated == 1
    assert worker.failures == 0
