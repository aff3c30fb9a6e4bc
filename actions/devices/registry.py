"""Devices bound to residents: added by staff with a token shown once, checked on every request.

Only the token's SHA-256 is stored, like staff session tokens: a copy of the database
does not let anyone post as a device.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import AuditLog, Device

DEVICE_KINDS = {"button": "一键呼叫器", "wristband": "手环"}
DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
HEARTBEAT_MINUTES = (5, 1440)  # from five minutes to once a day
DEFAULT_HEARTBEAT_MINUTES = 60
_DUMMY_HASH = hashlib.sha256(b"no such device").hexdigest()


def token_hash(token: str) -> str:
    """What the table keeps of a token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token() -> str:
    """A device token: 256 random bits, URL-safe, to be typed into the vendor's platform once."""
    return secrets.token_urlsafe(32)


def device_id_ok(device_id: str) -> bool:
    return bool(DEVICE_ID.fullmatch(device_id))


@dataclass(frozen=True)
class Authenticated:
    """A device whose token matched: enough for the door to rate-limit and log it by id."""

    id: int
    device_id: str


def authenticate(sessions: sessionmaker, device_id: str, token: str) -> Optional[Authenticated]:
    """The device if `token` is its token; compared in constant time, also for an unknown device."""
    with sessions() as session:
        row = session.execute(select(Device.id, Device.device_id, Device.token_hash)
                              .where(Device.device_id == device_id)).first()
    stored = row.token_hash if row is not None else _DUMMY_HASH
    matched = hmac.compare_digest(stored.encode(), token_hash(token).encode())
    return Authenticated(row.id, row.device_id) if row is not None and matched else None


class BindRefused(ValueError):
    """Why a device cannot be bound (shown to staff as it is)."""


def bind(sessions: sessionmaker, resident_id: int, device_id: str, kind: str, label: str,
         heartbeat_minutes: int, actor: str, now: dt.datetime) -> str:
    """Bind a new device (or a deactivated one again) to a resident; returns the token, shown once.

    A device active for someone is refused: staff deactivate it there first, so a wristband
    never raises alerts for two people.
    """
    token = new_token()
    with sessions.begin() as session:
        device = session.scalars(select(Device).where(Device.device_id == device_id)).first()
        if device is not None and device.active:
            raise BindRefused("这个设备编号已经绑定在一位居民名下，请先在那里停用，再绑定到这里。")
        if device is None:
            device = Device(device_id=device_id)
            session.add(device)
        device.token_hash, device.resident_id, device.kind, device.label = token_hash(token), resident_id, kind, label
        device.heartbeat_every_minutes, device.active, device.created_at, device.created_by = \
            heartbeat_minutes, True, now, actor
        device.last_seen_at = device.last_event = device.last_battery = None
        device.silent_notified_at = device.deactivated_at = None
        session.flush()
        session.add(AuditLog(actor=actor, action="device_bound", target=f"device:{device.id}",
                             detail=f"resident:{resident_id} kind={kind} heartbeat={heartbeat_minutes}min"))
    return token


def deactivate(sessions: sessionmaker, resident_id: int, device_pk: int, actor: str, now: dt.datetime) -> bool:
    """Stop a device of this resident: its events are refused (409) from now on; False when not active here."""
    with sessions.begin() as session:
        device = session.get(Device, device_pk)
        if device is None or device.resident_id != resident_id or not device.active:
            return False
        device.active, device.deactivated_at = False, now
        session.add(AuditLog(actor=actor, action="device_deactivated", target=f"device:{device_pk}",
                             detail=f"resident:{resident_id}"))
        return True


@dataclass(frozen=True)
class DeviceRow:
    """A device as the resident's page lists it (times in UTC, as stored)."""

    id: int
    device_id: str
    kind: str
    label: str
    heartbeat_every_minutes: int
    active: bool
    created_at: dt.datetime
    last_seen_at: Optional[dt.datetime]
    last_event: Optional[str]
    last_battery: Optional[int]
    silent: bool

    @property
    def kind_label(self) -> str:
        return DEVICE_KINDS.get(self.kind, self.kind)


def devices_of(session: Session, resident_id: int) -> List[DeviceRow]:
    """A resident's devices, active ones first."""
    rows = session.scalars(select(Device).where(Device.resident_id == resident_id)
                           .order_by(Device.active.desc(), Device.id))
    return [DeviceRow(d.id, d.device_id, d.kind, d.label, d.heartbeat_every_minutes, d.active, d.created_at,
                      d.last_seen_at, d.last_event, d.last_battery, d.silent_notified_at is not None) for d in rows]
