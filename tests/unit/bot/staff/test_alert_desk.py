"""The accountable alert desk over HTTP: acknowledge → 已到现场 → resolved with a note and an outcome, the
follow-up visit on the next day's Today page, the ladder on the banner, times in the community's zone."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import Alert, AuditLog, FollowUpVisit, StaffNotice
from actions.safety.ladder import escalate
from bot.kernel.clock import utc_now
from bot.kernel.settings import load_settings
from tests.unit.bot.staff.console_helpers import running_console, staff_actor, staff_client

pytestmark = pytest.mark.both_databases

NOW_UTC = dt.datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai, the tests' frozen local time


def _alert(sessions, resident_id=2, created_at=NOW_UTC - dt.timedelta(minutes=2), **values) -> int:
    with sessions.begin() as session:
        alert = Alert(resident_id=resident_id, sender_id=f"desk-{resident_id}", channel="kiosk", location="幸福里5号楼",
                      text="我摔倒了", kind="fall", status="open", created_at=created_at, **values)
        session.add(alert)
        session.flush()
        return alert.id


def _get(sessions, alert_id: int) -> Alert:
    with sessions() as session:
        return session.get(Alert, alert_id)


def test_acknowledge_arrive_resolve_with_times_in_the_community_zone(console, sessions) -> None:
    alert_id = _alert(sessions)
    client = staff_client(console.url, sessions)
    actor = staff_actor(sessions, "xiaowang")
    page = client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200 and "11-23 07:58 求助" in page.text  # 23:58 UTC the day before

    done = client.post(f"/alerts/{alert_id}/acknowledge", {"note": "已打电话，马上上门"})
    assert done.status_code == 200 and done.url.endswith("?ok=acknowledge") and "已记下：您来处理。" in done.text
    alert = _get(sessions, alert_id)
    assert (alert.status, alert.acknowledged_at, alert.acknowledged_by) == ("acknowledged", NOW_UTC, f"{actor} 小王")
    assert "[11-23 08:00 小王确认] 已打电话，马上上门" in alert.note, "the stamp is local time, not UTC 00:00"
    assert "11-23 08:00 小王确认" in done.text and "00:00" not in done.text

    arrived = client.post(f"/alerts/{alert_id}/arrive", {"note": "老人意识清醒"})
    assert arrived.status_code == 200 and "已记下：已到现场。" in arrived.text and "11-23 08:00 小王已到现场" in arrived.text
    alert = _get(sessions, alert_id)
    assert (alert.arrived_at, alert.arrived_by, alert.status) == (NOW_UTC, f"{actor} 小王", "acknowledged")
    again = client.post(f"/alerts/{alert_id}/arrive", {"note": ""})
    assert again.status_code == 200 and "已经做过" in again.text

    empty = client.post(f"/alerts/{alert_id}/resolve", {"note": "  ", "outcome": "hospital"})
    assert empty.status_code == 400 and "处理完请写一句说明（怎么处理的）。" in empty.text
    no_outcome = client.post(f"/alerts/{alert_id}/resolve", {"note": "已送医"})
    assert no_outcome.status_code == 400 and "请选择处理结果" in no_outcome.text and 'value="已送医"' in no_outcome.text
    odd = client.post(f"/alerts/{alert_id}/resolve", {"note": "已送医", "outcome": "teleported"})
    assert odd.status_code == 400
    assert _get(sessions, alert_id).status == "acknowledged", "a refused resolution changes nothing"

    resolved = client.post(f"/alerts/{alert_id}/resolve", {"note": "已送医，家属已到", "outcome": "hospital"})
    assert resolved.status_code == 200 and "明天的回访已放进今日工作" in resolved.text
    assert "结果：送医院" in resolved.text and "11-23 08:00 小王处理完" in resolved.text
    alert = _get(sessions, alert_id)
    assert (alert.status, alert.outcome, alert.resolved_at, alert.resolved_by) == (
        "resolved", "hospital", NOW_UTC, f"{actor} 小王")
    assert "[11-23 08:00 小王处理完·送医院] 已送医，家属已到" in alert.note
    with sessions() as session:
        actions = list(session.scalars(select(AuditLog.action).where(AuditLog.target == f"alert:{alert_id}",
                                                                     AuditLog.actor == actor).order_by(AuditLog.id)))
        visit = session.scalars(select(FollowUpVisit).where(FollowUpVisit.alert_id == alert_id)).one()
    assert [a for a in actions if a != "viewed_alert"] == [
        "alert_acknowledged", "alert_arrived", "alert_resolved", "follow_up_planned"]
    assert (visit.due_day, visit.resident_id, visit.done_at) == (dt.date(2026, 11, 24), 2, None)


def test_steps_need_the_forms_token(console, sessions) -> None:
    alert_id = _alert(sessions)
    client = staff_client(console.url, sessions)
    forged = client.http.post(f"{console.url}/alerts/{alert_id}/arrive", data={"note": "x"}, timeout=30)
    assert forged.status_code == 403
    assert _get(sessions, alert_id).arrived_at is None
    assert client.post("/alerts/999999/acknowledge").status_code == 404


def test_arriving_first_answers_the_alert_too(console, sessions) -> None:
    alert_id = _alert(sessions)
    client = staff_client(console.url, sessions)
    assert client.post(f"/alerts/{alert_id}/arrive").status_code == 200
    alert = _get(sessions, alert_id)
    assert (alert.status, alert.acknowledged_at, alert.arrived_at) == ("acknowledged", NOW_UTC, NOW_UTC)


def test_the_follow_up_is_on_the_next_days_today_page(console, sessions, database_url, monkeypatch) -> None:
    alert_id = _alert(sessions)
    client = staff_client(console.url, sessions)
    assert client.post(f"/alerts/{alert_id}/resolve", {"note": "扶起来了，没受伤", "outcome": "helped_home"}).status_code == 200
    today = client.get("/today")
    assert "求助后回访（0）" in today.text and "没有要回访的老人。" in today.text

    monkeypatch.setenv("XIAONUAN_NOW", "2026-11-24T09:00")  # the next morning, on a console of that day
    with running_console(sessions, database_url) as tomorrow:
        next_day = staff_client(tomorrow.url, sessions, username="xiaoli", display_name="小李")
        page = next_day.get("/today")
        assert "今日工作 · 2026-11-24（今天）" in page.text and "求助后回访（1）" in page.text
        assert "王建国" in page.text and "11-23 07:58的求助" in page.text and "上门帮助，在家处理好了" in page.text
        visit_id = _visit_id(sessions, alert_id)
        done = next_day.post(f"/today/follow-ups/{visit_id}/done", {"day": "2026-11-24", "note": "恢复得不错"})
        assert done.status_code == 200 and "已记为回访过了。" in done.text and "求助后回访（0）" in done.text
        twice = next_day.post(f"/today/follow-ups/{visit_id}/done", {"day": "2026-11-24"})
        assert twice.status_code == 409 and "这条回访已经记过了" in twice.text
        # Not done on its day, it would still be there later: a day after, nothing is left.
        assert "求助后回访（0）" in next_day.get("/today?day=2026-11-26").text
    with sessions() as session:
        visit = session.get(FollowUpVisit, visit_id)
        assert visit.done_by == staff_actor(sessions, "xiaoli") and visit.note == "恢复得不错"
        assert visit.done_at == dt.datetime(2026, 11, 24, 1, 0)
        assert session.scalar(select(AuditLog.id).where(AuditLog.action == "follow_up_done",
                                                        AuditLog.target == f"follow_up:{visit_id}")) is not None


def _visit_id(sessions, alert_id: int) -> int:
    with sessions() as session:
        return session.scalar(select(FollowUpVisit.id).where(FollowUpVisit.alert_id == alert_id))


def test_a_false_alarm_gets_a_follow_up_only_when_asked(console, sessions) -> None:
    plain, asked = _alert(sessions), _alert(sessions, resident_id=3)
    client = staff_client(console.url, sessions)
    first = client.post(f"/alerts/{plain}/resolve", {"note": "按错了", "outcome": "false_alarm"})
    assert first.status_code == 200 and "已处理完。" in first.text and "回访" not in first.text.split("</h1>")[1][:200]
    assert client.post(f"/alerts/{asked}/resolve",
                       {"note": "说没事，但声音不对", "outcome": "false_alarm", "follow_up": "1"}).status_code == 200
    assert _visit_id(sessions, plain) is None and _visit_id(sessions, asked) is not None
    assert _get(sessions, plain).outcome == "false_alarm"


def test_the_banner_grows_louder_as_the_ladder_climbs(console, sessions) -> None:
    settings = load_settings()
    alert_id = _alert(sessions, created_at=utc_now(settings))
    client = staff_client(console.url, sessions)
    banner = client.get("/alerts/banner").text
    assert f'data-alert-key="{alert_id}-0"' in banner and "已升级" not in banner

    escalate(sessions, utc_now(settings) + dt.timedelta(seconds=61), settings)
    banner = client.get("/alerts/banner").text
    assert f'data-alert-key="{alert_id}-1"' in banner and "已升级 · 超过60秒没人确认" in banner
    assert "alert-line open escalated" in banner and "请马上打" not in banner

    escalate(sessions, utc_now(settings) + dt.timedelta(seconds=181), settings)
    banner = client.get("/alerts/banner").text
    assert f'data-alert-key="{alert_id}-2"' in banner and "已呼叫全部工作人员" in banner
    assert "请马上打：社区服务中心 010-6688-1234" in banner and "全员呼叫：请您也马上处理" in banner
    page = client.get(f"/alerts/{alert_id}")  # opening the alert is seeing the call
    assert "已升级：再次响铃，通知家属（60秒没人确认）" in page.text and "已升级：呼叫全部工作人员（180秒没人确认）" in page.text
    assert "小王：11-23 08:00 已看到" in page.text and "社区管理员：还没看到" in page.text
    assert "全员呼叫：请您也马上处理" not in client.get("/alerts/banner").text
    with sessions() as session:
        seen = {n.staff_id: n.seen_at for n in session.scalars(select(StaffNotice))}
    assert sorted(v is None for v in seen.values()) == [False, True]

    client.post(f"/alerts/{alert_id}/acknowledge")
    banner = client.get("/alerts/banner").text
    assert "已升级" not in banner and "处理中" in banner and f'data-alert-key="{alert_id}-0"' in banner
