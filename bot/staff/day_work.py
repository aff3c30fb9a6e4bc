"""What the Today page lists besides the kitchen: the day's home-service visits and open call-back requests."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from actions.db.models import AuditLog, HandoffRequest, Resident, ServiceBooking, ServiceSlot
from actions.services.catalogue import Catalogue
from bot.staff.app import Console

VISIT_STATUS = {"requested": "待确认", "confirmed": "已派人", "done": "已做完", "cancelled": "已取消"}
HANDOFF_REASON = {"asked": "要求人工", "not_understood": "小暖没听懂", "identify_locked": "身份确认被锁",
                  "relative_worried": "家属担心，请联系老人或上门看看",
                  "device_silent": "设备没有心跳，请联系老人", "device_low_battery": "设备电量低，请提醒充电",
                  "device_unbound_sos": "未绑定居民的设备发出求助，请查看"}
CALLED_BACK = "called_back"


@dataclass(frozen=True)
class Visit:
    id: int
    when: str  # "下午三点", else the half-day
    service: str
    helpers: Tuple[str, ...]  # the service's helper pool, to pick from
    resident: str
    address: str
    phone: str
    note: str
    status: str
    helper: Optional[str]

    @property
    def status_label(self) -> str:
        return VISIT_STATUS.get(self.status, self.status)

    @property
    def open(self) -> bool:
        return self.status in ("requested", "confirmed")


@dataclass(frozen=True)
class Handoff:
    id: int
    at: Optional[dt.datetime]  # UTC, as stored (the template shows local time)
    resident: str
    resident_id: Optional[int]
    phone: str
    reason: str
    last_text: str
    channel: str


def visits_on(console: Console, catalogue: Catalogue, day: dt.date) -> List[Visit]:
    with console.sessions() as session:
        rows = session.scalars(
            select(ServiceBooking).join(ServiceSlot).where(ServiceSlot.day == day)
            .options(selectinload(ServiceBooking.slot).selectinload(ServiceSlot.service_type),
                     selectinload(ServiceBooking.resident))
            .order_by(ServiceSlot.half_day, ServiceBooking.id))
        visits = []
        for booking in rows:
            kind = booking.slot.service_type
            try:
                service = catalogue.by_code(kind.code)
                name, helpers = service.name, service.helpers
            except KeyError:  # removed from the catalogue since: still show the visit
                name, helpers = kind.name, ()
            visits.append(Visit(booking.id, booking.time_note or booking.slot.half_day, name, helpers,
                                booking.resident.name, booking.resident.address, booking.resident.phone,
                                booking.note, booking.status, booking.helper_name))
        return visits


def handoffs_open(console: Console) -> List[Handoff]:
    """Open call-back requests, the longest waiting first."""
    with console.sessions() as session:
        rows = session.execute(
            select(HandoffRequest, Resident).outerjoin(Resident, Resident.id == HandoffRequest.resident_id)
            .where(HandoffRequest.status == "open").order_by(HandoffRequest.id))
        return [Handoff(h.id, h.created_at, r.name if r else "未登记居民",
                        r.id if r else None, r.phone if r else "", HANDOFF_REASON.get(h.reason, h.reason),
                        h.last_text, h.channel) for h, r in rows]


def mark_called_back(console: Console, handoff_id: int, actor: str) -> bool:
    """Open → called back, audited in the same transaction; False when it was not open."""
    with console.sessions.begin() as session:
        moved = session.execute(update(HandoffRequest)
                                .where(HandoffRequest.id == handoff_id, HandoffRequest.status == "open")
                                .values(status=CALLED_BACK).execution_options(synchronize_session=False)).rowcount
        if moved == 1:
            session.add(AuditLog(actor=actor, action="handoff_called_back", target=f"handoff:{handoff_id}"))
        return moved == 1
