"""A resident's upcoming bookings — meals and home services — as one list, for checking and cancelling."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import runtime
from actions.db.models import MealBooking, ServiceBooking, ServiceSlot
from actions.lang.meals import parse_meal
from actions.lang.spoken import say_date
from actions.meals.phrases import booking_line, meal_word
from actions.meals.rules import MEAL_TYPES, MealRules, load_rules
from actions.services.catalogue import HALF_DAYS, Catalogue, load_catalogue
from actions.services.slots import ACTIVE, LEAD_TIME, starts_at

STATUS_WORDS = {"requested": "等确认", "confirmed": "已确认"}


@dataclass(frozen=True)
class BookingItem:
    """One upcoming booking, described for speech."""

    ref: str  # "meal:12", "service:4"
    day: dt.date
    order: int  # sorts the items of one day: breakfast, morning visits, lunch …
    line: str  # "明天（11月24日，星期二）的午饭，两份，送到家"
    short: str  # "明天（11月24日，星期二）的午饭", for a button
    what: str  # the meal type (午餐) or the service code (bathing)
    deadline: dt.datetime  # after this it can no longer be cancelled here
    phone: str  # whom to call after the deadline


def meal_items(session: Session, resident_id: int, today: dt.date, rules: MealRules) -> List[BookingItem]:
    rows = session.scalars(select(MealBooking).where(
        MealBooking.resident_id == resident_id, MealBooking.status == "booked", MealBooking.day >= today))
    return [BookingItem(ref=f"meal:{b.id}", day=b.day, order=2 * MEAL_TYPES.index(b.meal_type),
                        line=booking_line(b, today), short=f"{say_date(b.day, today)}的{meal_word(b.meal_type)}",
                        what=b.meal_type, deadline=rules.cutoff(b.day, b.meal_type), phone=b.canteen.phone)
            for b in rows]


def service_items(session: Session, resident_id: int, today: dt.date, catalogue: Catalogue,
                  phone: str) -> List[BookingItem]:
    rows = session.scalars(select(ServiceBooking).join(ServiceSlot).where(
        ServiceBooking.resident_id == resident_id, ServiceBooking.status.in_(ACTIVE), ServiceSlot.day >= today))
    items = []
    for b in rows:
        service = catalogue.by_code(b.slot.service_type.code)
        short = f"{say_date(b.slot.day, today)}{b.time_note or b.slot.half_day}的{service.name}"
        helper = f"，{b.helper_name}来" if b.helper_name else ""
        items.append(BookingItem(ref=f"service:{b.id}", day=b.slot.day, order=1 + 2 * HALF_DAYS.index(b.slot.half_day),
                                 line=f"{short}，{STATUS_WORDS[b.status]}{helper}", short=short, what=service.code,
                                 deadline=starts_at(b.slot.day, b.slot.half_day) - LEAD_TIME, phone=phone))
    return items


def upcoming(session: Session, resident_id: int, today: dt.date, rules: MealRules, catalogue: Catalogue,
             phone: str) -> List[BookingItem]:
    """Every booking from today on, soonest first."""
    items = meal_items(session, resident_id, today, rules) + service_items(session, resident_id, today,
                                                                           catalogue, phone)
    return sorted(items, key=lambda item: (item.day, item.order))


def matching(items: List[BookingItem], day: Optional[dt.date], what: Optional[str]) -> List[BookingItem]:
    return [item for item in items if (day is None or item.day == day) and (what is None or item.what == what)]


def spoken_list(items: List[BookingItem], limit: int = 3) -> str:
    """"明天的午饭，两份，送到家；后天上午的助浴，已确认" and how many more."""
    text = "；".join(item.line for item in items[:limit])
    if len(items) > limit:
        text += f"；还有{len(items) - limit}个"
    return text


def what_mentioned(text: str, catalogue: Catalogue) -> Optional[str]:
    """The meal or service a sentence is about, if any."""
    service = catalogue.recognise(text)
    return parse_meal(text) or (service.code if service else None)


def all_upcoming(session: Session, resident_id: int, today: dt.date) -> List[BookingItem]:
    """`upcoming` with the rules, catalogue and phone in force."""
    settings = runtime.settings()
    return upcoming(session, resident_id, today, load_rules(settings.meals_config),
                    load_catalogue(settings.services_config), settings.community_phone)


def what_name(what: str, catalogue: Catalogue) -> str:
    """午餐 → 午饭, bathing → 助浴."""
    return meal_word(what) if what in MEAL_TYPES else catalogue.by_code(what).name
