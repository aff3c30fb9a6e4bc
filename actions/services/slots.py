"""Half-day slots of each home service: capacity from the weekly template, visits booked,
what can still be booked, and the nearest free slots when one is full."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Iterator, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.atomic import insert_ignore
from actions.db.models import ServiceBooking, ServiceSlot, ServiceType
from actions.services.catalogue import HALF_DAYS, Catalogue, Service

# When helpers set out, and how long before that a visit must be booked.
HALF_DAY_START = {"上午": dt.time(8, 30), "下午": dt.time(14, 0)}
LEAD_TIME = dt.timedelta(hours=2)
DAYS_AHEAD = 14
ACTIVE = ("requested", "confirmed")


class Problem(str, Enum):
    NEEDS_ASSESSMENT = "needs_assessment"
    PAST = "past"  # the day is gone, or the half-day starts too soon
    TOO_FAR = "too_far"
    CLOSED = "closed"  # the template has no visits then
    FULL = "full"
    DUPLICATE = "duplicate"  # the same service already booked that day


@dataclass(frozen=True)
class ServiceChoice:
    code: str
    day: Optional[dt.date] = None
    half_day: Optional[str] = None


def starts_at(day: dt.date, half_day: str) -> dt.datetime:
    return dt.datetime.combine(day, HALF_DAY_START[half_day])


def service_type_id(session: Session, code: str) -> int:
    found = session.scalar(select(ServiceType.id).where(ServiceType.code == code))
    if found is None:
        raise LookupError(f"service {code!r} is not in the database; run `xiaonuan seed`")
    return found


def find_slot(session: Session, code: str, day: dt.date, half_day: str) -> Optional[ServiceSlot]:
    return session.scalar(select(ServiceSlot).join(ServiceType).where(
        ServiceType.code == code, ServiceSlot.day == day, ServiceSlot.half_day == half_day))


def ensure_slot(session: Session, service: Service, day: dt.date, half_day: str) -> ServiceSlot:
    """The slot row, created from the weekly template when first needed (concurrent creators are fine)."""
    values = dict(service_type_id=service_type_id(session, service.code), day=day, half_day=half_day,
                  capacity=service.capacity_on(day, half_day), booked=0)
    insert_ignore(session, ServiceSlot.__table__, values, ("service_type_id", "day", "half_day"))
    return find_slot(session, service.code, day, half_day)


def remaining(session: Session, service: Service, day: dt.date, half_day: str) -> int:
    slot = find_slot(session, service.code, day, half_day)
    return slot.capacity - slot.booked if slot is not None else service.capacity_on(day, half_day)


def booked_that_day(session: Session, resident_id: int, code: str, day: dt.date) -> Optional[ServiceBooking]:
    return session.scalar(select(ServiceBooking).join(ServiceSlot).join(ServiceType).where(
        ServiceBooking.resident_id == resident_id, ServiceType.code == code, ServiceSlot.day == day,
        ServiceBooking.status.in_(ACTIVE)))


def problem_with(session: Session, catalogue: Catalogue, choice: ServiceChoice, now: dt.datetime,
                 resident_id: Optional[int] = None) -> Optional[Problem]:
    """The first reason the choice cannot be booked, judged on what is known so far."""
    service = catalogue.by_code(choice.code)
    if service.needs_assessment:
        return Problem.NEEDS_ASSESSMENT
    if choice.day is None:
        return None
    if choice.day < now.date():
        return Problem.PAST
    if choice.day > now.date() + dt.timedelta(days=DAYS_AHEAD):
        return Problem.TOO_FAR
    if not any(service.capacity_on(choice.day, half) for half in HALF_DAYS):
        return Problem.CLOSED
    if resident_id is not None and booked_that_day(session, resident_id, choice.code, choice.day):
        return Problem.DUPLICATE
    if choice.half_day is None:
        return None
    if starts_at(choice.day, choice.half_day) - LEAD_TIME < now:
        return Problem.PAST
    if service.capacity_on(choice.day, choice.half_day) == 0:
        return Problem.CLOSED
    if remaining(session, service, choice.day, choice.half_day) < 1:
        return Problem.FULL
    return None


def _slots_around(day: dt.date, half_day: str, now: dt.datetime) -> Iterator[tuple]:
    """Every bookable-in-time half-day in the window, nearest to the asked one first."""
    asked = starts_at(day, half_day)
    window = [(now.date() + dt.timedelta(days=offset), half)
              for offset in range(DAYS_AHEAD + 1) for half in HALF_DAYS]
    window = [(d, h) for d, h in window if starts_at(d, h) - LEAD_TIME >= now and (d, h) != (day, half_day)]
    yield from sorted(window, key=lambda slot: (abs(starts_at(*slot) - asked), starts_at(*slot)))


def nearest_free(session: Session, catalogue: Catalogue, choice: ServiceChoice, now: dt.datetime,
                 resident_id: Optional[int] = None, limit: int = 2) -> List[ServiceChoice]:
    """The `limit` free slots of the same service nearest to the one asked for."""
    if choice.day is None:
        return []
    found: List[ServiceChoice] = []
    for day, half in _slots_around(choice.day, choice.half_day or "上午", now):
        option = ServiceChoice(choice.code, day, half)
        if problem_with(session, catalogue, option, now, resident_id) is None:
            found.append(option)
            if len(found) == limit:
                break
    return found
