"""Booking a home-service visit in one transaction that cannot overbook a half-day,
with a helper assigned at once where the catalogue gives a helper pool."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.db.atomic import Refused, booked_by_message, take_capacity
from actions.db.models import Resident, ServiceBooking, ServiceBookingChange, ServiceSlot
from actions.services.catalogue import Catalogue, Service
from actions.services.notices import notify
from actions.services.slots import ACTIVE, Problem, ServiceChoice, ensure_slot, problem_with
from bot.kernel.clock import utcnow


@dataclass(frozen=True)
class ServiceRequest:
    resident_id: int
    choice: ServiceChoice  # complete: code, day and half-day
    booked_by: str
    channel: str = ""
    note: str = ""
    time_note: str = ""
    message_id: Optional[str] = None


@dataclass(frozen=True)
class ServicePrice:
    unit_price: float
    subsidy: float
    label: str

    @property
    def total(self) -> float:
        return round(self.unit_price - self.subsidy, 2)


@dataclass(frozen=True)
class ServiceResult:
    booking_id: Optional[int] = None
    problem: Optional[Problem] = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.booking_id is not None


def resident_flags(resident: Resident) -> tuple:
    return tuple(flag for flag in (resident.flags or "").split(",") if flag)


def price_of(service: Service, resident: Resident, day: dt.date) -> ServicePrice:
    subsidy, label = service.subsidy_for(resident.age_on(day), resident_flags(resident))
    return ServicePrice(service.price, round(subsidy, 2), label)


def free_helper(session: Session, service: Service, slot: ServiceSlot) -> Optional[str]:
    """The first helper of the pool not already going out in this half-day."""
    busy = set(session.scalars(select(ServiceBooking.helper_name).join(ServiceSlot).where(
        ServiceSlot.day == slot.day, ServiceSlot.half_day == slot.half_day, ServiceBooking.status.in_(ACTIVE),
        ServiceBooking.helper_name.is_not(None))))
    return next((helper for helper in service.helpers if helper not in busy), None)


def take_place(session: Session, slot: ServiceSlot) -> bool:
    """One visit more in the slot, atomically: false when it is full."""
    return take_capacity(session, ServiceSlot, (ServiceSlot.id == slot.id,), 1)


def book_service(sessions: sessionmaker, catalogue: Catalogue, request: ServiceRequest,
                 now: dt.datetime) -> ServiceResult:
    """Every check again, the slot's place, the booking and its first history entry, in one transaction."""
    seen = booked_by_message(sessions, ServiceBooking, request.message_id)
    if seen is not None:
        return ServiceResult(booking_id=seen, replayed=True)
    choice = request.choice
    service = catalogue.by_code(choice.code)
    try:
        with sessions.begin() as session:
            problem = problem_with(session, catalogue, choice, now, request.resident_id)
            if problem is not None:
                raise Refused(problem)
            resident = session.get(Resident, request.resident_id)
            slot = ensure_slot(session, service, choice.day, choice.half_day)
            if not take_place(session, slot):
                raise Refused(Problem.FULL)
            price = price_of(service, resident, choice.day)
            booking = ServiceBooking(
                resident_id=resident.id, slot_id=slot.id, status="requested", time_note=request.time_note,
                note=request.note[:200], unit_price=price.unit_price, subsidy=price.subsidy,
                price_total=price.total, booked_by=request.booked_by, channel=request.channel,
                message_id=request.message_id)
            session.add(booking)
            session.flush()
            session.add(ServiceBookingChange(booking_id=booking.id, from_status=None, to_status="requested",
                                             actor=request.booked_by, detail=request.note[:200]))
            helper = free_helper(session, service, slot)
            if helper:
                booking.status, booking.helper_name, booking.updated_at = "confirmed", helper, utcnow()
                session.add(ServiceBookingChange(booking_id=booking.id, from_status="requested",
                                                 to_status="confirmed", actor="system", detail=f"派{helper}"))
                session.flush()
                notify(session, catalogue, booking, "service_confirmed", request.booked_by,
                       cause=f"service:{booking.id}:confirmed:1")
            else:
                notify(session, catalogue, booking, "service_booked", request.booked_by,
                       cause=f"service:{booking.id}:booked")
            return ServiceResult(booking_id=booking.id)
    except Refused as refused:
        return ServiceResult(problem=refused.problem)
    except IntegrityError:
        seen = booked_by_message(sessions, ServiceBooking, request.message_id)
        if seen is None:
            raise
        return ServiceResult(booking_id=seen, replayed=True)
