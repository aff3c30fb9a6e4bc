"""Figures for the Numbers page, per local day over a window of days.

Meals and visits are counted by the day they are for; turns by the local day
they happened. Rasa's `events` table lives in the same database but is made by
Rasa, so it is read with plain SQL and may not exist yet (then: no turns).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from actions.db.models import MealBooking, NotUnderstoodTurn, ServiceBooking, ServiceSlot
from bot.kernel.settings import Settings
from bot.staff.localtime import local_day_of_epoch, to_local, utc_bounds

USER_TURNS = text("SELECT timestamp FROM events WHERE type_name = 'user' AND timestamp >= :start AND timestamp < :end")


@dataclass(frozen=True)
class Day:
    day: dt.date
    portions: int  # meal portions booked for that day, not cancelled
    visits: int  # home-service visits for that day, not cancelled
    turns: int  # user turns that day
    not_understood: int  # of those, turns the assistant did not understand

    @property
    def share(self) -> float:
        """Share of turns not understood (0 when there were no turns; never above 1)."""
        return min(1.0, self.not_understood / self.turns) if self.turns else 0.0


def window(last: dt.date, days: int) -> List[dt.date]:
    return [last - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _portions(session: Session, first: dt.date, last: dt.date) -> Dict[dt.date, int]:
    return dict(session.execute(
        select(MealBooking.day, func.sum(MealBooking.quantity))
        .where(MealBooking.day.between(first, last), MealBooking.status != "cancelled")
        .group_by(MealBooking.day)).all())


def _visits(session: Session, first: dt.date, last: dt.date) -> Dict[dt.date, int]:
    return dict(session.execute(
        select(ServiceSlot.day, func.count(ServiceBooking.id)).join(ServiceSlot)
        .where(ServiceSlot.day.between(first, last), ServiceBooking.status != "cancelled")
        .group_by(ServiceSlot.day)).all())


def _turns(session: Session, settings: Settings, first: dt.date, last: dt.date) -> Counter:
    if not inspect(session.get_bind()).has_table("events"):
        return Counter()
    start, end = utc_bounds(settings, first, last)
    epoch = dt.datetime(1970, 1, 1)
    rows = session.execute(USER_TURNS, {"start": (start - epoch).total_seconds(), "end": (end - epoch).total_seconds()})
    return Counter(local_day_of_epoch(settings, stamp) for (stamp,) in rows)


def _not_understood(session: Session, settings: Settings, first: dt.date, last: dt.date) -> Counter:
    start, end = utc_bounds(settings, first, last)  # `at` is stored in UTC like every time in the database
    rows = session.scalars(select(NotUnderstoodTurn.at).where(NotUnderstoodTurn.at >= start,
                                                               NotUnderstoodTurn.at < end))
    return Counter(to_local(settings, at).date() for at in rows)


def daily(session: Session, settings: Settings, last: dt.date, days: int = 30) -> List[Day]:
    dates = window(last, days)
    first = dates[0]
    portions, visits = _portions(session, first, last), _visits(session, first, last)
    turns, missed = _turns(session, settings, first, last), _not_understood(session, settings, first, last)
    return [Day(day, int(portions.get(day) or 0), int(visits.get(day) or 0), turns[day], missed[day])
            for day in dates]
