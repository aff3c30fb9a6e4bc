"""The life of a service booking: requested → confirmed (a helper assigned) → done, or cancelled.

Every change is one transaction: the status moves only from the state it was
read in (a concurrent change is refused, not overwritten), a history row says
who did it, when and why, the slot's place is given back on cancelling, and
the resident and linked family are told through the outbox.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, FrozenSet, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from actions.db.models import ServiceBooking, ServiceBookingChange, ServiceSlot
from actions.services.booking import take_place
from actions.services.catalogue import Catalogue
from actions.services.notices import notify
from actions.services.slots import ensure_slot
from bot.kernel.clock import utcnow

ALLOWED: Dict[str, FrozenSet[str]] = {
    "requested": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"confirmed", "done", "cancelled"}),  # confirmed again: another helper
    "done": frozenset(),
    "cancelled": frozenset(),
}


class TransitionRefused(ValueError):
    """The change is not allowed from the booking's current state; the message says why."""


def change_status(sessions: sessionmaker, catalogue: Catalogue, booking_id: int, to: str, actor: str,
                  reason: str = "", helper: Optional[str] = None) -> str:
    """Move a booking to `to`; returns the state it came from."""
    if to not in ALLOWED:
        raise TransitionRefused(f"unknown state {to!r}")
    if to == "confirmed" and not helper:
        raise TransitionRefused("confirming needs a helper")
    if to == "cancelled" and not reason:
        raise TransitionRefused("cancelling needs a reason")
    with sessions.begin() as session:
        booking = session.get(ServiceBooking, booking_id)
        if booking is None:
            raise TransitionRefused(f"service booking {booking_id} does not exist")
        start = booking.status
        if to not in ALLOWED[start]:
            raise TransitionRefused(f"a booking that is {start} cannot become {to}")
        values = {"status": to, "updated_at": utcnow()}
        if helper:
            values["helper_name"] = helper
        moved = session.execute(update(ServiceBooking).where(ServiceBooking.id == booking_id,
                                                             ServiceBooking.status == start)
                                .values(**values).execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise TransitionRefused("the booking was changed by someone else just now; look again")
        if to == "cancelled":
            session.execute(update(ServiceSlot).where(ServiceSlot.id == booking.slot_id)
                            .values(booked=ServiceSlot.booked - 1).execution_options(synchronize_session=False))
        session.add(ServiceBookingChange(booking_id=booking_id, from_status=start, to_status=to, actor=actor,
                                         reason=reason[:200], detail=f"派{helper}" if helper else ""))
        session.flush()
        session.refresh(booking)
        step = session.scalar(select(func.count(ServiceBookingChange.id))
                              .where(ServiceBookingChange.booking_id == booking_id))
        kind = "service_changed" if start == to == "confirmed" else f"service_{to}"
        notify(session, catalogue, booking, kind, actor, cause=f"service:{booking_id}:{to}:{step}", reason=reason)
        return start


def move(sessions: sessionmaker, catalogue: Catalogue, booking_id: int, day: dt.date, half_day: str,
         actor: str, reason: str = "") -> None:
    """Staff move a visit to another half-day: the new place is taken, the old one given back."""
    with sessions.begin() as session:
        booking = session.get(ServiceBooking, booking_id)
        if booking is None or booking.status not in ("requested", "confirmed"):
            raise TransitionRefused("only a requested or confirmed visit can be moved")
        service = catalogue.by_code(booking.slot.service_type.code)
        old = booking.slot
        new = ensure_slot(session, service, day, half_day)
        if new.id == old.id:
            return
        if not take_place(session, new):
            raise TransitionRefused(f"{day} {half_day} is full")
        session.execute(update(ServiceSlot).where(ServiceSlot.id == old.id)
                        .values(booked=ServiceSlot.booked - 1).execution_options(synchronize_session=False))
        booking.slot_id, booking.updated_at = new.id, utcnow()
        session.add(ServiceBookingChange(booking_id=booking_id, from_status=booking.status,
                                         to_status=booking.status, actor=actor, reason=reason[:200],
                                         detail=f"改到{day.isoformat()}{half_day}"))
        session.flush()
        session.refresh(booking)
        step = session.scalar(select(func.count(ServiceBookingChange.id))
                              .where(ServiceBookingChange.booking_id == booking_id))
        notify(session, catalogue, booking, "service_changed", actor, cause=f"service:{booking_id}:moved:{step}")
