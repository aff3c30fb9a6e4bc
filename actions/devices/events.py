"""What a device's event does: an SOS or a fall raises (or joins) the resident's alert exactly as spoken
words do, a low battery asks staff to see to it, a heartbeat says the device is alive.

Every authenticated event also refreshes the device's last-seen time, which ends a silence.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.alerts import announce
from actions.db.models import AuditLog, Device, HandoffRequest, Resident
from actions.devices.registry import DEVICE_KINDS, device_id_ok
from actions.safety.records import raise_or_join

EVENTS = ("sos", "fall", "low_battery", "heartbeat")
ALERT_KIND = {"sos": "help", "fall": "fall"}
CHANNEL = "device"
NO_PLACE = "位置不明（设备没有报告位置，住址也没有登记）"
MAX_PLACE = 200


class BadEvent(ValueError):
    """The body is not an event; the message is the reason the vendor reads."""


@dataclass(frozen=True)
class DeviceEvent:
    device_id: str
    event: str
    location: Optional[str] = None  # already formatted for staff
    battery: Optional[int] = None  # percent


@dataclass(frozen=True)
class Outcome:
    """The door's answer: HTTP status and the JSON result (or error) with a reason."""

    status: int
    result: str
    reason: str = ""


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadEvent(f"{name} must be a non-empty string")
    value = value.strip()
    if len(value) > limit:
        raise BadEvent(f"{name} must be at most {limit} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise BadEvent(f"{name} must not contain control characters")
    return value


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise BadEvent(f"{name} must be a number from {low:g} to {high:g}")
    return float(value)


def _location(value: Any) -> Optional[str]:
    """A place as text ("3号楼2单元101"), or a position {"lat", "lon", "text"?} from a wristband."""
    if value is None:
        return None
    if isinstance(value, str):
        return _text(value, "location", MAX_PLACE)
    if not isinstance(value, dict):
        raise BadEvent("location must be a string or an object with lat and lon")
    lat = _number(value.get("lat"), "location.lat", -90, 90)
    lon = _number(value.get("lon"), "location.lon", -180, 180)
    position = f"纬度{lat:.5f}，经度{lon:.5f}"
    if value.get("text") is None:
        return position
    return f"{_text(value['text'], 'location.text', 100)}（{position}）"


def parse_event(body: Any) -> DeviceEvent:
    """The event in a decoded JSON body; unknown fields are ignored, so vendors may send more."""
    if not isinstance(body, dict):
        raise BadEvent("the body must be a JSON object")
    device_id = body.get("device_id")
    if not isinstance(device_id, str) or not device_id_ok(device_id):
        raise BadEvent("device_id must be 1-64 characters: letters, digits and . _ : -")
    event = body.get("event")
    if event not in EVENTS:
        raise BadEvent("event must be one of " + ", ".join(EVENTS))
    battery = body.get("battery")
    if battery is not None and (isinstance(battery, bool) or not isinstance(battery, int) or not 0 <= battery <= 100):
        raise BadEvent("battery must be a whole number from 0 to 100 (percent)")
    return DeviceEvent(device_id, event, _location(body.get("location")), battery)


def device_name(device: Device) -> str:
    """How staff and family read which device it was: kind, label and number, never the resident's details."""
    kind = DEVICE_KINDS.get(device.kind, "设备")
    label = f"{device.label}，" if device.label else ""
    return f"{kind}（{label}编号 {device.device_id}）"


def tell_staff(session: Session, device: Device, reason: str, text: str) -> bool:
    """A call-back request on the Today page, once: not while one for this device and reason is still open."""
    sender = f"device:{device.device_id}"
    waiting = session.scalars(select(HandoffRequest.id).where(
        HandoffRequest.sender_id == sender, HandoffRequest.reason == reason,
        HandoffRequest.status == "open")).first()
    if waiting is not None:
        return False
    session.add(HandoffRequest(resident_id=device.resident_id if device.active else None, sender_id=sender,
                               channel=CHANNEL, reason=reason, last_text=text[:2000]))
    return True


def _alert_text(device: Device, event: DeviceEvent) -> str:
    said = f"{device_name(device)}检测到摔倒" if event.event == "fall" else f"按下了{device_name(device)}的求助键"
    if event.location:
        said += f"；设备报告的位置：{event.location}"
    return said


def handle_event(sessions: sessionmaker, device_pk: int, event: DeviceEvent, now_utc: dt.datetime,
                 local_time: dt.datetime) -> Outcome:
    """Apply one authenticated event.

    `sessions` must reach the database `actions.runtime` uses: the alert is written by
    `raise_or_join`, the same path spoken emergencies take.
    """
    actor = f"device:{device_pk}"
    with sessions.begin() as session:
        device = session.get(Device, device_pk)
        if device is None:  # cannot happen while rows are never deleted; answered like a wrong token
            return Outcome(401, "unauthorized", "unknown device or wrong token")
        device.last_seen_at, device.last_event, device.silent_notified_at = now_utc, event.event, None
        if event.battery is not None:
            device.last_battery = event.battery
        resident = session.get(Resident, device.resident_id) if device.active and device.resident_id else None
        if resident is None:
            session.add(AuditLog(actor=actor, action="device_event_refused", target=actor,
                                 detail=f"event={event.event} not bound to a resident"))
            if event.event in ALERT_KIND:
                tell_staff(session, device, "device_unbound_sos",
                           f"{device_name(device)}发出了{'摔倒' if event.event == 'fall' else '求助'}"
                           "信号，但它没有绑定居民（或已停用）。请查看是谁在用。")
            told = "staff have been told" if event.event in ALERT_KIND else "the refusal is in the staff's audit log"
            return Outcome(409, "not_bound", f"this device is not bound to a resident (or was deactivated); {told}")
        resident_id, address, text = resident.id, resident.address, _alert_text(device, event)
        if event.event == "low_battery":
            level = f"，剩余{event.battery}%" if event.battery is not None else ""
            tell_staff(session, device, "device_low_battery",
                       f"{device_name(device)}电量低{level}，请提醒充电或换电池。")
            session.add(AuditLog(actor=actor, action="device_low_battery", target=f"resident:{resident_id}",
                                 detail=f"battery={event.battery}"))
            return Outcome(200, "battery_recorded")
        if event.event == "heartbeat":
            return Outcome(200, "heartbeat_recorded")
        device_id = device.device_id
    place = event.location or address or NO_PLACE
    raised = raise_or_join(resident_id, f"device:{device_id}", CHANNEL, text, ALERT_KIND[event.event], place,
                           local_time, None)
    announce(raised, CHANNEL)
    return Outcome(200, "alert_raised" if raised.is_new else "alert_joined")
