"""Emergencies and requests for a person."""
import logging

import pytest
from sqlalchemy import func, select

from actions.alerts import ActionEmergency, ActionHumanHandoff
from actions.db.models import Alert, AuditLog, HandoffRequest, OutboxMessage
from tests.conftest import make_tracker, tracker_fixture, user_event

pytestmark = pytest.mark.both_databases


async def test_emergency_writes_alert_and_notifies(sessions, dispatcher, domain, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="actions.alerts")
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
        # the family's notice waits in the outbox for the worker, with the resident's name
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "family:1")).all()
        assert "张桂英" in notice.text and notice.kind == "emergency" and notice.key == f"alert:{alert.id}:family:1"
    # the log has the alert by ids only
    assert f"ALERT {alert.id} resident=1 channel=kiosk family_notices=1" in caplog.text
    assert "张桂英" not in caplog.text and "摔" not in caplog.text
    assert [m["response"] for m in dispatcher.messages] == ["utter_advice_fall", "utter_alert_told_staff"]
    assert dispatcher.messages[1]["family_note"] == "，也告诉了您的家人"


async def test_anonymous_emergency_still_raises_an_alert(sessions, dispatcher, domain, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="actions.alerts")
    tracker = make_tracker([user_event("救命", "emergency", 1.0)], slots={"channel": "kiosk"}, sender_id="anon:x")
    await ActionEmergency().run(dispatcher, tracker, domain)
    with sessions() as session:
        alert = session.scalars(select(Alert)).one()
    assert alert.resident_id is None and alert.sender_id == "anon:x"
    assert f"ALERT {alert.id} resident=None" in caplog.text
    assert dispatcher.messages[1]["family_note"] == ""


async def test_emergency_ends_an_active_form(sessions, dispatcher, domain) -> None:
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


async def test_a_person_asked_again_while_waiting_makes_no_second_request(sessions, domain) -> None:
    """"多久能有人给我回话" after "转人工": the call-back asked for stands; staff see it once."""
    from rasa_sdk.executor import CollectingDispatcher

    slots = {"resident_id": "2", "channel": "kiosk"}
    first, again = CollectingDispatcher(), CollectingDispatcher()
    await ActionHumanHandoff().run(first, make_tracker([user_event("转人工", "human_handoff")], slots=slots), domain)
    await ActionHumanHandoff().run(again, make_tracker([user_event("多久能有人给我回话", "human_handoff")],
                                                       slots=slots), domain)
    with sessions() as session:
        assert session.scalar(select(func.count(HandoffRequest.id))) == 1
        session.scalars(select(HandoffRequest)).one().status = "closed"
        session.commit()
    assert again.messages[0]["response"] == "utter_handoff_waiting" and again.messages[0]["community_phone"]
    closed = CollectingDispatcher()
    await ActionHumanHandoff().run(closed, make_tracker([user_event("转人工", "human_handoff")], slots=slots), domain)
    assert closed.messages[0]["response"] == "utter_handoff"  # staff closed the first: a new one is asked for
    with sessions() as session:
        assert session.scalar(select(func.count(HandoffRequest.id))) == 2
