"""SOS devices on a resident's page: reading the add form, binding (token shown once), listing, deactivating."""
from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Optional, Tuple

from actions.devices.registry import (
    DEFAULT_HEARTBEAT_MINUTES,
    DEVICE_KINDS,
    HEARTBEAT_MINUTES,
    BindRefused,
    DeviceRow,
    bind,
    deactivate,
    device_id_ok,
    devices_of,
)
from bot.staff.app import Console
from bot.staff.localtime import utc_now

__all__ = ["BindRefused", "DEFAULT_HEARTBEAT_MINUTES", "DEVICE_KINDS", "devices", "read_form", "add", "stop"]


def devices(console: Console, resident_id: Optional[int]) -> List[DeviceRow]:
    if resident_id is None:
        return []
    with console.sessions() as session:
        return devices_of(session, int(resident_id))


def read_form(form: Any) -> Tuple[Dict[str, object], List[str]]:
    """The add-device form's values and what is wrong with them (in the words staff read)."""
    def field(name: str) -> str:
        return (form.get(name) or "").strip() if form else ""

    errors = []
    device_id, label, kind, every = field("device_id"), field("label"), field("kind") or "button", field("heartbeat")
    if not device_id_ok(device_id):
        errors.append("设备编号请照设备或厂家平台上写的填：1到64个字母、数字或 . _ : -。")
    if len(label) > 40:
        errors.append("设备名称最多40个字。")
    elif any(unicodedata.category(ch).startswith("C") for ch in label):
        errors.append("设备名称里有不能显示的字符，请重新输入。")
    if kind not in DEVICE_KINDS:
        errors.append("请选择设备类型。")
    minutes = DEFAULT_HEARTBEAT_MINUTES
    if every:
        try:
            minutes = int(every)
        except ValueError:
            minutes = -1
        low, high = HEARTBEAT_MINUTES
        if not low <= minutes <= high:
            errors.append(f"心跳间隔请填{low}到{high}之间的分钟数。")
    return dict(device_id=device_id, label=label, kind=kind, heartbeat=minutes), errors


def add(console: Console, resident_id: int, values: Dict[str, object], actor: str) -> str:
    """Bind the device; returns its token (raises BindRefused with the reason staff read)."""
    minutes = values["heartbeat"]
    assert isinstance(minutes, int)
    return bind(console.sessions, resident_id, str(values["device_id"]), str(values["kind"]), str(values["label"]),
                minutes, actor, utc_now(console.settings))


def stop(console: Console, resident_id: int, device_pk: int, actor: str) -> bool:
    return deactivate(console.sessions, resident_id, device_pk, actor, utc_now(console.settings))
