"""What a person said about a meal, from their words or from a button they pressed."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

from sqlalchemy.orm import Session

from actions.forms.read_back import corrected_part
from actions.lang.dates import parse_date
from actions.lang.meals import parse_delivery, parse_meal
from actions.lang.numbers import parse_quantity
from actions.meals.menu import canteen_named
from actions.meals.rules import MEAL_TYPES

DELIVERY_VALUES = {"送餐上门": True, "堂食": False}


def _from_buttons(entities: Dict[str, Any], today: dt.date, session: Session) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    if entities.get("date"):
        mention = parse_date(str(entities["date"]), today)
        if mention:
            values["meal_date"] = mention.day.isoformat()
    meal = entities.get("meal_type")
    if meal:
        meal = meal if meal in MEAL_TYPES else parse_meal(str(meal))
        if meal:
            values["meal_type"] = meal
    if entities.get("quantity") is not None:
        quantity = parse_quantity(str(entities["quantity"]), bare_number_ok=True)
        if quantity:
            values["meal_quantity"] = float(quantity)
    delivery = entities.get("delivery")
    if delivery is not None:
        value = DELIVERY_VALUES.get(str(delivery), parse_delivery(str(delivery)))
        if value is not None:
            values["meal_delivery"] = value
    if entities.get("canteen"):
        canteen = canteen_named(session, str(entities["canteen"]))
        if canteen:
            values["meal_canteen_id"] = str(canteen.id)
    return values


def meal_values(message: Dict[str, Any], today: dt.date, session: Session,
                requested_slot: Optional[str] = None) -> Dict[str, Any]:
    """Slot values for the meal form found in the latest message (empty when it says none)."""
    text = message.get("text") or ""
    if text.startswith("/"):
        entities = {e.get("entity"): e.get("value") for e in message.get("entities") or []}
        return _from_buttons(entities, today, session)
    values: Dict[str, Any] = {}
    text = corrected_part(text)
    mention = parse_date(text, today)
    if mention:
        values["meal_date"] = mention.day.isoformat()
    meal = parse_meal(text)
    if meal:
        values["meal_type"] = meal
    quantity = parse_quantity(text, bare_number_ok=requested_slot == "meal_quantity")
    if quantity:
        values["meal_quantity"] = float(quantity)
    delivery = parse_delivery(text)
    if delivery is not None:
        values["meal_delivery"] = delivery
    canteen = canteen_named(session, text)
    if canteen:
        values["meal_canteen_id"] = str(canteen.id)
    return values
