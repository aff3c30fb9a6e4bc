"""What a device's event does, on SQLite and PostgreSQL: the alert, joining, heartbeats, battery, silence."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from actions.db.models import Alert, AlertWord, AuditLog, Device, FamilyLink, HandoffRequest, OutboxMessage
from actions.devices.events import BadEvent, Outcome, handle_event, parse_event
from actions.devices.registry import BindRefused, authenticate, bind, deactivate
from actions.devices.silence import tell_silent_devices
from actions.safety.records import raise_or_join
from bot.kernel.settings import load_settings
from tests.conftest import NOW

pytestmark = pytest.mark.both_databases

FROZEN_UTC = dt.datetime(2026, 11, 23, 0, 0)  # NOW (08:00 in Shanghai) as the database keeps it
HOME = "幸福里小区3号楼2单元101"  # 张桂英, resident 1


def _bound(sessions, resident_id=1, device_id="BTN-1", kind="button", label="床头按钮", minutes=60):
    token = bind(sessions, resident_id, device_id, kind, label, minutes, "staff:1", FROZEN_UTC)
    found = authenticate(sessions, device_id, token)
    assert found is not None
    return found.id, token


def _post(sessions, pk, body, minutes_later=0):
    when = FROZEN_UTC + dt.timedelta(minutes=minutes_later)
    return handle_event(sessions, pk, parse_event(body), when, NOW + dt.timedelta(minutes=minutes_later))


def _rows(sessions, model, *where):
    with sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def test_the_token_is_checked_against_its_hash_only(sessions) -> None:
    pk, token = _bound(sessions)
    (device,) = _rows(sessions, Device)
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in device.token_hash
    assert len(token) >= 40
    assert authenticate(sessions, "BTN-1", token + "x") is None
    assert authenticate(sessions, "BTN-2", token) is None  # the right token for another device id
    assert authenticate(sessions, "BTN-1", "") is None


def test_an_sos_raises_the_residents_alert_at_home_and_tells_the_family_and_repeats_join(sessions) -> None:
    pk, _ = _bound(sessions)
    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "sos"}) == Outcome(200, "alert_raised")
    (alert,) = _rows(sessions, Alert)
    assert (alert.resident_id, alert.location, alert.kind, alert.channel, alert.status, alert.repeats) == \
        (1, HOME, "help", "device", "open", 1)
    assert alert.sender_id == "device:BTN-1" and "一键呼叫器（床头按钮，编号 BTN-1）" in alert.text
    with sessions() as session:
        family = set(session.scalars(select(FamilyLink.family_member_id).where(FamilyLink.resident_id == 1)))
    notices = _rows(sessions, OutboxMessage, OutboxMessage.kind == "emergency")
    assert family and {n.recipient for n in notices} == {f"family:{fid}" for fid in family}
    assert all(f"张桂英在{HOME}求助（8:00）" in n.text for n in notices)

    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "sos"}, 1) == Outcome(200, "alert_joined")
    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "fall"}, 2) == Outcome(200, "alert_joined")
    (alert,) = _rows(sessions, Alert)
    assert alert.repeats == 3 and alert.kind == "fall"  # a fall says more than "help"
    assert len(_rows(sessions, AlertWord, AlertWord.alert_id == alert.id)) == 2
    assert len(_rows(sessions, OutboxMessage, OutboxMessage.kind == "emergency")) == len(notices)  # not again
    assert [a.action for a in _rows(sessions, AuditLog, AuditLog.target == f"alert:{alert.id}")] == \
        ["alert_raised", "alert_repeated", "alert_repeated"]


def test_a_wristband_fall_is_its_own_kind_at_the_place_it_reports(sessions) -> None:
    pk, _ = _bound(sessions, resident_id=2, device_id="WB-77", kind="wristband", label="")
    body = {"device_id": "WB-77", "event": "fall", "battery": 64,
            "location": {"lat": 39.91234, "lon": 116.40456, "text": "菜市场门口"}, "firmware": "2.1"}
    assert _post(sessions, pk, body) == Outcome(200, "alert_raised")
    (alert,) = _rows(sessions, Alert)
    assert (alert.resident_id, alert.kind) == (2, "fall")
    assert alert.location == "菜市场门口（纬度39.91234，经度116.40456）"
    assert alert.text.startswith("手环（编号 WB-77）检测到摔倒")
    (device,) = _rows(sessions, Device)
    assert (device.last_battery, device.last_event, device.last_seen_at) == (64, "fall", FROZEN_UTC)


def test_a_device_joins_the_alert_the_resident_raised_by_voice(sessions) -> None:
    spoken = raise_or_join(1, "kiosk-home-1", "kiosk", "救命，我摔倒了", "fall", HOME, NOW, None)
    pk, _ = _bound(sessions)
    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "sos", "location": "卫生间"}, 1) == \
        Outcome(200, "alert_joined")
    (alert,) = _rows(sessions, Alert)
    assert alert.id == spoken.alert_id and alert.repeats == 2 and alert.kind == "fall" and alert.location == HOME
    (word,) = _rows(sessions, AlertWord)
    assert "设备报告的位置：卫生间" in word.text


def test_a_heartbeat_is_last_seen_and_a_low_battery_asks_staff_once(sessions) -> None:
    pk, _ = _bound(sessions)
    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "heartbeat", "battery": 80}, 5) == \
        Outcome(200, "heartbeat_recorded")
    (device,) = _rows(sessions, Device)
    assert (device.last_seen_at, device.last_battery, device.last_event) == \
        (FROZEN_UTC + dt.timedelta(minutes=5), 80, "heartbeat")
    assert _rows(sessions, Alert) == [] and _rows(sessions, HandoffRequest) == []
    for minute in (10, 70):
        assert _post(sessions, pk, {"device_id": "BTN-1", "event": "low_battery", "battery": 15}, minute) == \
            Outcome(200, "battery_recorded")
    (request,) = _rows(sessions, HandoffRequest)
    assert (request.resident_id, request.reason, request.channel, request.sender_id, request.status) == \
        (1, "device_low_battery", "device", "device:BTN-1", "open")
    assert request.last_text == "一键呼叫器（床头按钮，编号 BTN-1）电量低，剩余15%，请提醒充电或换电池。"
    assert len(_rows(sessions, AuditLog, AuditLog.action == "device_low_battery")) == 2
    assert _rows(sessions, Alert) == []


def test_a_device_bound_to_nobody_is_refused_and_staff_still_see_its_sos(sessions) -> None:
    pk, token = _bound(sessions)
    assert deactivate(sessions, 1, pk, "staff:1", FROZEN_UTC)
    assert not deactivate(sessions, 1, pk, "staff:1", FROZEN_UTC)  # already stopped
    assert authenticate(sessions, "BTN-1", token) is not None  # its token still says who it is
    outcome = _post(sessions, pk, {"device_id": "BTN-1", "event": "sos"})
    assert (outcome.status, outcome.result) == (409, "not_bound") and "not bound" in outcome.reason
    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "heartbeat"}).status == 409
    assert _post(sessions, pk, {"device_id": "BTN-1", "event": "fall"}).status == 409
    assert _rows(sessions, Alert) == []
    (request,) = _rows(sessions, HandoffRequest)  # one request, not one per press
    assert (request.reason, request.resident_id, request.channel) == ("device_unbound_sos", None, "device")
    assert "没有绑定居民" in request.last_text
    refused = _rows(sessions, AuditLog, AuditLog.action == "device_event_refused")
    assert [(a.actor, a.detail) for a in refused] == [
        (f"device:{pk}", "event=sos not bound to a resident"),
        (f"device:{pk}", "event=heartbeat not bound to a resident"),
        (f"device:{pk}", "event=fall not bound to a resident")]


def test_binding_refuses_a_device_active_elsewhere_and_rebinding_makes_a_new_token(sessions) -> None:
    pk, old = _bound(sessions)
    with pytest.raises(BindRefused, match="请先在那里停用"):
        bind(sessions, 2, "BTN-1", "button", "", 60, "staff:1", FROZEN_UTC)
    deactivate(sessions, 1, pk, "staff:1", FROZEN_UTC)
    new = bind(sessions, 2, "BTN-1", "wristband", "新手环", 30, "staff:1", FROZEN_UTC)
    assert authenticate(sessions, "BTN-1", old) is None and authenticate(sessions, "BTN-1", new).id == pk
    (device,) = _rows(sessions, Device)
    assert (device.resident_id, device.active, device.kind, device.heartbeat_every_minutes) == \
        (2, True, "wristband", 30)
    assert [a.action for a in _rows(sessions, AuditLog, AuditLog.target == f"device:{pk}")] == \
        ["device_bound", "device_deactivated", "device_bound"]


def test_a_missed_heartbeat_tells_staff_once_per_silence(sessions) -> None:
    settings = load_settings()
    pk, _ = _bound(sessions)
    quiet_pk, _ = _bound(sessions, resident_id=2, device_id="BTN-2", minutes=30)
    deactivate(sessions, 2, quiet_pk, "staff:1", FROZEN_UTC)  # a stopped device is not watched
    at = lambda minutes: FROZEN_UTC + dt.timedelta(minutes=minutes)  # noqa: E731
    assert tell_silent_devices(sessions, settings, at(119)) == []  # one heartbeat may be late
    assert tell_silent_devices(sessions, settings, at(120)) == [pk]
    assert tell_silent_devices(sessions, settings, at(300)) == []  # the same silence: told once
    (request,) = _rows(sessions, HandoffRequest)
    assert (request.reason, request.resident_id, request.channel) == ("device_silent", 1, "device")
    assert request.last_text.startswith("一键呼叫器（床头按钮，编号 BTN-1）已经2小时没有消息（从来没有收到过）")
    (device,) = _rows(sessions, Device, Device.id == pk)
    assert device.silent_notified_at == at(120)

    _post(sessions, pk, {"device_id": "BTN-1", "event": "heartbeat"}, 360)  # back: the silence is over
    (device,) = _rows(sessions, Device, Device.id == pk)
    assert device.silent_notified_at is None
    assert tell_silent_devices(sessions, settings, at(479)) == []
    with sessions.begin() as session:
        session.get(HandoffRequest, request.id).status = "called_back"
    assert tell_silent_devices(sessions, settings, at(480)) == [pk]  # a new silence: told again
    latest = _rows(sessions, HandoffRequest)[-1]
    assert latest.id != request.id and "最后一次是11-23 14:00" in latest.last_text  # 06:00 UTC, local time
    assert [a.target for a in _rows(sessions, AuditLog, AuditLog.action == "device_silent")] == [f"device:{pk}"] * 2


@pytest.mark.parametrize("body,reason", [
    ([], "the body must be a JSON object"),
    ({"event": "sos"}, "device_id must be"),
    ({"device_id": "按钮1", "event": "sos"}, "device_id must be"),
    ({"device_id": "B" * 65, "event": "sos"}, "device_id must be"),
    ({"device_id": "BTN-1"}, "event must be one of sos, fall, low_battery, heartbeat"),
    ({"device_id": "BTN-1", "event": "SOS"}, "event must be one of"),
    ({"device_id": "BTN-1", "event": "heartbeat", "battery": 101}, "battery must be a whole number"),
    ({"device_id": "BTN-1", "event": "heartbeat", "battery": True}, "battery must be a whole number"),
    ({"device_id": "BTN-1", "event": "heartbeat", "battery": "50"}, "battery must be a whole number"),
    ({"device_id": "BTN-1", "event": "sos", "location": ["39.9", "116.4"]}, "location must be a string or an object"),
    ({"device_id": "BTN-1", "event": "sos", "location": {"lat": 91, "lon": 0}}, "location.lat must be a number"),
    ({"device_id": "BTN-1", "event": "sos", "location": {"lat": 39.9}}, "location.lon must be a number"),
    ({"device_id": "BTN-1", "event": "sos", "location": "卫生间\x00"}, "must not contain control characters"),
    ({"device_id": "BTN-1", "event": "sos", "location": "楼" * 201}, "at most 200 characters"),
    ({"device_id": "BTN-1", "event": "sos", "location": "  "}, "location must be a non-empty string"),
])
def test_a_malformed_event_is_refused_with_its_reason(body, reason) -> None:
    with pytest.raises(BadEvent, match=reason.replace("(", r"\(")):
        parse_event(body)
