"""A resident's upcoming bookings as one list, whatever their kind, for checking and cancelling."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import MealBooking
from actions.lang.spoken import say_date
from actions.meals.phrases import booking_line, meal_word
from actions.meals.rules import MEAL_TYPES, MealRules


@dataclass(frozen=True)
class BookingItem:
    """One upcoming booking, described for speech."""

    ref: str  # "meal:12"
    day: dt.date
    order: int  # sorts items of one day (breakfast before lunch …)
    line: str  # "明天（11月24日，星期二）的午饭，两份，送到家"
    short: str  # "明天（11月24日，星期二）的午饭", for a button
    meal_type: Optional[str]
    deadline: dt.datetime  # after this it can no longer be cancelled here
    phone: str  # whom to call after the deadline


def meal_items(session: Session, resident_id: int, today: dt.date, rules: MealRules) -> List[BookingItem]:
    rows = session.scalars(select(MealBooking).where(
        MealBooking.resident_id == resident_id, MealBooking.status == "booked", MealBooking.day >= today))
    return [BookingItem(ref=f"meal:{b.id}", day=b.day, order=MEAL_TYPES.index(b.meal_type),
                        line=booking_line(b, today), short=f"{say_date(b.day, today)}的{meal_word(b.meal_type)}",
                        meal_type=b.meal_type,
                        deadline=rules.cutoff(b.day, b.meal_type), phone=b.canteen.phone)
            for b in rows]


def upcoming(session: Session, resident_id: int, today: dt.date, rules: MealRules) -> List[BookingItem]:
    """Every booking from today on, soonest first."""
    return sorted(meal_items(session, resident_id, today, rules), key=lambda item: (item.day, item.order))


def matching(items: List[BookingItem], day: Optional[dt.date], meal_type: Optional[str]) -> List[BookingItem]:
    return [item for item in items
            if (day is None or item.day == day) and (meal_type is None or item.meal_type == meal_type)]


def spoken_list(items: List[BookingItem], limit: int = 3) -> str:
    """"明天的午饭，两份，送到家；后天的晚饭，一份，去食堂吃" and how many more."""
    text = "；".join(item.line for item in items[:limit])
    if len(items) > limit:
        text += f"；还有{len(items) - limit}个"
    return text
