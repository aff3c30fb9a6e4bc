"""Binding SOS devices on a resident's page: the token shown once and stored hashed, the list, deactivating."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, Device, HandoffRequest
from actions.devices.registry import authenticate

pytestmark = pytest.mark.both_databases

TOKEN = re.compile(r'<p class="code token">([^<]+)</p>')


def _devices(sessions):
    with sessions() as session:
        return list(session.scalars(select(Device).order_by(Device.id)))


def test_staff_bind_a_device_and_see_its_token_once_stored_hashed(admin, sessions) -> None:
    added = admin.post("/residents/1/devices", {"device_id": "BTN-100", "label": "床头按钮", "kind": "button",
                                                "heartbeat": "30"})
    assert added.status_code == 200 and "只显示这一次" in added.text
    assert added.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(added.text).group(1)
    (device,) = _devices(sessions)
    assert (device.device_id, device.resident_id, device.kind, device.label, device.heartbeat_every_minutes,
            device.active, device.created_by) == ("BTN-100", 1, "button", "床头按钮", 30, True, "staff:1")
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert authenticate(sessions, "BTN-100", token).id == device.id
    page = admin.get("/residents/1")
    assert token not in page.text and "只显示这一次" not in page.text  # shown once, never again
    assert "一键呼叫器“床头按钮” · 编号 BTN-100" in page.text and "还没收到过消息" in page.text
    assert "每30分钟一次心跳" in page.text
    with sessions() as session:
        (audit,) = session.scalars(select(AuditLog).where(AuditLog.action == "device_bound"))
        assert (audit.actor, audit.target) == ("staff:1", f"device:{device.id}") and token not in audit.detail


def test_the_form_is_checked_and_a_device_of_someone_else_is_refused(admin, sessions) -> None:
    wrong = admin.post("/residents/1/devices", {"device_id": "按钮 1", "label": "x" * 41, "kind": "phone",
                                                "heartbeat": "2"})
    assert wrong.status_code == 400
    for message in ("设备编号请照设备或厂家平台上写的填", "设备名称最多40个字", "请选择设备类型", "心跳间隔请填5到1440之间的分钟数"):
        assert message in wrong.text
    assert _devices(sessions) == []
    assert admin.post("/residents/2/devices", {"device_id": "WB-1", "kind": "wristband"}).status_code == 200
    taken = admin.post("/residents/1/devices", {"device_id": "WB-1", "kind": "wristband"})
    assert taken.status_code == 400 and "请先在那里停用" in taken.text and 'value="WB-1"' in taken.text
    assert [d.resident_id for d in _devices(sessions)] == [2]
    no_csrf = admin.http.post(admin.base + "/residents/1/devices", data={"device_id": "BTN-9"}, timeout=30)
    assert no_csrf.status_code == 403 and len(_devices(sessions)) == 1
    assert admin.post("/residents/999/devices", {"device_id": "BTN-9"}).status_code == 404


def test_staff_see_last_seen_and_battery_and_can_deactivate(admin, sessions) -> None:
    admin.post("/residents/1/devices", {"device_id": "BTN-100", "label": "床头按钮", "kind": "button"})
    with sessions.begin() as session:
        device = session.scalars(select(Device)).one()
        device.last_seen_at, device.last_battery, device.last_event = dt.datetime(2026, 11, 23, 0, 5), 12, "low_battery"
        device.silent_notified_at = dt.datetime(2026, 11, 23, 3, 0)
        session.add(HandoffRequest(resident_id=1, sender_id="device:BTN-100", channel="device",
                                   reason="device_low_battery",
                                   last_text="一键呼叫器（床头按钮，编号 BTN-100）电量低，剩余12%，请提醒充电或换电池。"))
        pk = device.id
    page = admin.get("/residents/1")
    assert "最后消息 11-23 08:05" in page.text and '电量 <span class="error">12%</span>' in page.text
    assert "报告电量低" in page.text and "没有心跳（已提醒）" in page.text
    today = admin.get("/today")
    assert "设备电量低，请提醒充电" in today.text and "编号 BTN-100）电量低，剩余12%" in today.text
    assert "“一键呼叫器" not in today.text  # a device's request is not quoted as words someone said
    stopped = admin.post(f"/residents/1/devices/{pk}/deactivate")
    assert stopped.status_code == 200 and "设备已停用" in stopped.text and "已停用" in stopped.text
    assert admin.post(f"/residents/1/devices/{pk}/deactivate").status_code == 409
    assert admin.post(f"/residents/2/devices/{pk}/deactivate").status_code == 409  # not that resident's
    (device,) = _devices(sessions)
    assert device.active is False and device.deactivated_at is not None
    with sessions() as session:
        actors = session.scalars(select(AuditLog.actor).where(AuditLog.action == "device_deactivated")).all()
    assert actors == ["staff:1"]
