"""The kitchen list: per canteen and meal, how many portions to cook, to serve and to deliver.

One function serves the `xiaonuan kitchen` command and, later, the staff console.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import Canteen, CanteenMeal, MealBooking, Resident
from actions.meals.rules import MEAL_TYPES


@dataclass
class KitchenRow:
    canteen: str
    meal_type: str
    dine_in: int = 0  # portions eaten at the canteen
    delivery: int = 0  # portions delivered home
    capacity: int = 0
    dietary_notes: Counter = field(default_factory=Counter)  # note → portions of residents with it

    @property
    def total(self) -> int:
        return self.dine_in + self.delivery


def kitchen_list(session: Session, day: dt.date) -> List[KitchenRow]:
    """Every meal each open canteen serves that day, with booked portions and dietary notes."""
    rows: Dict[Tuple[int, str], KitchenRow] = {}
    canteens = list(session.scalars(select(Canteen).order_by(Canteen.id)))
    for canteen in canteens:
        if canteen.closed_on(day):
            continue
        for meal in session.scalars(select(CanteenMeal).where(CanteenMeal.canteen_id == canteen.id)):
            rows[(canteen.id, meal.meal_type)] = KitchenRow(canteen.name, meal.meal_type, capacity=meal.capacity)
    bookings = session.execute(
        select(MealBooking, Resident.dietary_notes).join(Resident, Resident.id == MealBooking.resident_id)
        .where(MealBooking.day == day, MealBooking.status == "booked"))
    for booking, notes in bookings:
        row = rows.get((booking.canteen_id, booking.meal_type))
        if row is None:  # booked before the canteen changed its days or meals: still cook it
            canteen = next(c for c in canteens if c.id == booking.canteen_id)
            row = rows[(booking.canteen_id, booking.meal_type)] = KitchenRow(canteen.name, booking.meal_type)
        if booking.delivery:
            row.delivery += booking.quantity
        else:
            row.dine_in += booking.quantity
        for note in filter(None, (notes or "").split(",")):
            row.dietary_notes[note] += 1
    order = {canteen.id: index for index, canteen in enumerate(canteens)}
    return [rows[key] for key in sorted(rows, key=lambda k: (order[k[0]], MEAL_TYPES.index(k[1])))]


def format_kitchen_list(day: dt.date, rows: List[KitchenRow]) -> str:
    """Plain text for a printer or a terminal."""
    lines = [f"厨房备餐单 {day.isoformat()}"]
    if not rows:
        return "\n".join(lines + ["（这一天没有食堂开门）"])
    canteen = None
    for row in rows:
        if row.canteen != canteen:
            canteen = row.canteen
            lines.append(f"\n{canteen}")
        notes = "，".join(f"{note}×{count}" for note, count in row.dietary_notes.most_common()) or "无"
        lines.append(f"  {row.meal_type}：共{row.total}份（堂食{row.dine_in}，送餐{row.delivery}），"
                     f"容量{row.capacity}；饮食要求：{notes}")
    return "\n".join(lines)
