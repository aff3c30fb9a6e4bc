"""A device that stopped sending anything: staff are told once per silence.

A device is silent when nothing came from it for twice its heartbeat interval
(a heartbeat may be late once). The next event from it ends the silence, so the
one after that is told again. Inactive and unbound devices are not watched.
"""
from __future__ import annotations

import datetime as dt
from typing import List

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from actions.db.models import AuditLog, Device
from actions.devices.events import device_name, tell_staff
from bot.kernel.clock import to_local
from bot.kernel.settings import Settings

MISSED_BEATS = 2


def _silence_text(settings: Settings, device: Device, since: dt.datetime, now_utc: dt.datetime) -> str:
    hours = (now_utc - since).total_seconds() / 3600
    span = f"{hours:.0f}小时" if hours >= 1 else f"{(now_utc - since).total_seconds() / 60:.0f}分钟"
    last = f"最后一次是{to_local(settings, device.last_seen_at):%m-%d %H:%M}" if device.last_seen_at else "从来没有收到过"
    return (f"{device_name(device)}已经{span}没有消息（{last}）。"
            "可能没电、坏了或不在老人身边，请联系老人看看。")


def tell_silent_devices(sessions: sessionmaker, settings: Settings, now_utc: dt.datetime) -> List[int]:
    """Tell staff of each device silent at `now_utc` (naive UTC) not told yet; returns their ids."""
    told = []
    with sessions.begin() as session:
        watched = session.scalars(select(Device).where(
            Device.active.is_(True), Device.resident_id.isnot(None), Device.silent_notified_at.is_(None))
            .order_by(Device.id))
        for device in list(watched):
            since = device.last_seen_at or device.created_at
            if now_utc - since < dt.timedelta(minutes=MISSED_BEATS * device.heartbeat_every_minutes):
                continue
            # Only if no event arrived since we read it: an event clears the mark and moves last_seen_at.
            seen = Device.last_seen_at.is_(None) if device.last_seen_at is None \
                else Device.last_seen_at == device.last_seen_at
            marked = session.execute(update(Device).where(Device.id == device.id, Device.silent_notified_at.is_(None),
                                                          seen)
                                     .values(silent_notified_at=now_utc)
                                     .execution_options(synchronize_session=False)).rowcount
            if marked != 1:
                continue
            tell_staff(session, device, "device_silent", _silence_text(settings, device, since, now_utc))
            session.add(AuditLog(actor="system:devices", action="device_silent", target=f"device:{device.id}",
                                 detail=f"resident:{device.resident_id} silent since {since:%Y-%m-%d %H:%M} UTC"))
            told.append(device.id)
    return told
