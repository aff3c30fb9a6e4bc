"""Emergencies and requests for a person."""
from typing import List

import pytest
from sqlalchemy import func, select

from actions import notify
from actions.alerts import ActionEmergency, ActionHumanHandoff
from actions.db.models import Alert, AuditLog, HandoffRequest
from actions.notify import AlertNotice, NotifierHub
from tests.conftest import make_tracker, tracker_fixture, user_event

pytestmark = pytest.mark.both_databases


class RecordingNotifier:
    def __init__(self) -> None:
        self.notices: List[AlertNotice] = []

    def alert_raised(self, notice: AlertNotice) -> None:
        self.notices.append(notice)


class BrokenNotifier:
    def alert_raised(self, notice: AlertNotice) -> None:
        raise ConnectionError("channel down")


@pytest.fixture()
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingNotifier:
    recording = RecordingNotifier()
    monkeypatch.setattr(notify, "_hub", NotifierHub([BrokenNotifier(), recording]))
    return recording


async def test_emergency_writes_alert_and_notifies(sessions, dispatcher, domain, recorder) -> None:
    tracker = tracker_fixture("home_kiosk_emergency")
    events = await ActionEmergency().run(dispatcher, tracker, domain)

    assert [e["event"] for e in events][:2] == ["active_loop", "slot"]
    assert {"event": "slot", "timestamp": None, "name": "alert_talk", "value": True} in events
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.resident_id, alert.channel, alert.status) == (1, "kiosk", "open")
        assert alert.text == "我 摔 倒 了 起 不 来"
        assert alert.location == "幸福里小区3号楼2单元101"
        assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "alert_raised")) == 1
    # A broken channel did not stop the other notifier.
    assert len(recorder.notices) == 1
    notice = recorder.notices[0]
    assert notice.alert_id == alert.id and notice.resident_name == "张桂英"
    assert notice.family_member_ids == (1,)
    assert [m["response"] for m in dispatcher.messages] == ["utter_advice_fall", "utter_alert_told_staff"]
    assert dispatcher.messages[1]["family_note"] == "，也告诉了您的家人"


async def test_anonymous_emergency_still_raises_an_alert(sessions, dispatcher, domain, recorder) -> None:
    tracker = make_tracker([user_event("救命", "emergency", 1.0)], slots={"channel": "kiosk"}, sender_id="anon:x")
    await ActionEmergency().run(dispatcher, tracker, domain)
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
    assert alert.resident_id is None and alert.sender_id == "anon:x"
    assert recorder.notices[0].resident_name == "未登记居民"
    assert dispatcher.messages[1]["family_note"] == ""


async def test_emergency_ends_an_active_form(sessions, dispatcher, domain, recorder) -> None:
    tracker = make_tracker([user_event("着火了", "emergency", 1.0)], active_loop="identify_form")
    events = await ActionEmergency().run(dispatcher, tracker, domain)
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]


async def test_emergency_without_database_tells_user_to_call_120(dispatcher, domain, monkeypatch, tmp_path) -> None:
    from actions import runtime

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker}/db.sqlite")
    runtime.reset()
    try:
        tracker = make_tracker([user_event("救命", "emergency", 1.0)])
        await ActionEmergency().run(dispatcher, tracker, domain)
    finally:
        runtime.reset()
    assert dispatcher.messages[0]["response"] == "utter_emergency_failed"
    assert dispatcher.messages[0]["community_phone"]


async def test_handoff_records_request_and_gives_numbers(sessions, dispatcher, domain) -> None:
    tracker = make_tracker([user_event("转人工", "human_handoff")], slots={"resident_id": "2", "channel": "kiosk"})
    events = await ActionHumanHandoff().run(dispatcher, tracker, domain)
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    with sessions() as session:
        request = session.scalars(select(HandoffRequest)).one()
    assert (request.resident_id, request.reason, request.last_text) == (2, "asked", "转人工")
    message = dispatcher.messages[0]
    assert message["response"] == "utter_handoff"
    assert message["hotline"] == "12345" and message["community_phone"]
