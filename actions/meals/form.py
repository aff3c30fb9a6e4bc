"""The meal-booking form: fills date, meal, people and delivery from whatever was said,
checks each step against the canteen's rules, reads everything back and waits for yes."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import Canteen, MealBooking, Resident
from actions.forms.read_back import INTERRUPTING, ReadBackForm
from actions.lang.spoken import say_count
from actions.meals.alternatives import alternatives
from actions.meals.availability import MealChoice, Problem, problem_with
from actions.meals.context import MealContext, meal_context, who_for
from actions.meals.phrases import meal_word, problem_sentence, say_choice
from actions.meals.said import meal_values
from actions.tracker_utils import set_in_previous_answer
from bot.kernel.clock import utcnow
from bot.kernel.contract import button

REQUIRED = ("meal_date", "meal_type", "meal_canteen_id", "meal_quantity", "meal_delivery", "meal_confirmed")
STATE = REQUIRED + ("meal_stop", "meal_changing", "meal_offer", "meal_rejected")
# Which answer a problem takes back, so the form asks for it again.
CLEARS = {Problem.PAST: ("meal_date",), Problem.TOO_FAR: ("meal_date",), Problem.CLOSED: ("meal_date",),
          Problem.NOT_SERVED: ("meal_type",), Problem.CUTOFF: ("meal_date", "meal_type"),
          Problem.FULL: ("meal_date", "meal_type"), Problem.DELIVERY_FULL: ("meal_delivery",),
          Problem.TOO_MANY: ("meal_quantity",)}


_ALSO = re.compile(r"也|一样|同样|照样|照着")
_SAME = re.compile(r"一样|同样|照样|照着")


RELATIVE_JUST_BOOKED = dt.timedelta(minutes=30)


def booked_here(session: Session, tracker: Tracker) -> Optional[MealBooking]:
    """The meal booked last in this conversation (by the ids of its messages), if any; for a relative, also
    the one they booked for their other parent just now ("我爸也来一份一样的" after the mother's dinner,
    which was booked in her conversation)."""
    ids = [event.get("message_id") for event in tracker.events
           if event.get("event") == "user" and event.get("message_id")]
    query = select(MealBooking).where(MealBooking.status == "booked").order_by(MealBooking.id.desc()).limit(1)
    found = session.scalars(query.where(MealBooking.message_id.in_(ids[-50:]))).first() if ids else None
    family_id = tracker.get_slot("family_member_id")
    if found is None and tracker.get_slot("actor_role") == "family" and family_id:
        since = utcnow() - RELATIVE_JUST_BOOKED
        found = session.scalars(query.where(MealBooking.booked_by == f"family:{family_id}",
                                            MealBooking.created_at >= since)).first()
    return found


def choice_from(slots: Dict[str, Any]) -> Optional[MealChoice]:
    if not slots.get("meal_canteen_id"):
        return None
    day = dt.date.fromisoformat(slots["meal_date"]) if slots.get("meal_date") else None
    quantity = int(slots["meal_quantity"]) if slots.get("meal_quantity") else None
    return MealChoice(int(slots["meal_canteen_id"]), day, slots.get("meal_type"), quantity, slots.get("meal_delivery"))


def offer_button(choice: MealChoice, canteen: Canteen, title: str) -> Dict[str, str]:
    entities = {"date": choice.day.isoformat(), "meal_type": choice.meal_type, "canteen": canteen.name}
    if choice.delivery is not None:
        entities["delivery"] = "送餐上门" if choice.delivery else "堂食"
    return button(title, "inform", **entities)


class ValidateMealBookingForm(ReadBackForm):
    """Everything said is taken at once; each problem is explained with the nearest alternative."""

    prefix = "meal"
    required = REQUIRED
    can_do = "能订。"
    interrupting = INTERRUPTING | {"book_service"}

    def name(self) -> Text:
        return "validate_meal_booking_form"

    def context(self, tracker: Tracker) -> MealContext:
        return meal_context(tracker)

    def said(self, tracker: Tracker, context: MealContext, session: Session,
             requested: Optional[str]) -> Dict[str, Any]:
        values = meal_values(tracker.latest_message, context.today, session, requested)
        if requested is None and set_in_previous_answer(tracker, "menu_day"):
            # "那就给她订一份" right after a menu answer: that day, and that meal unless another is said.
            day, _, meal = tracker.get_slot("menu_day").partition(" ")
            values.setdefault("meal_date", day)
            if meal:
                values.setdefault("meal_type", meal)
        text = tracker.latest_message.get("text") or ""
        if requested is None and _ALSO.search(text):
            last = booked_here(session, tracker)
            if last is not None:
                # "晚上的也订一份，也送家" after today's lunch: still today; "我爸也来一份一样的": all of it.
                values.setdefault("meal_date", last.day.isoformat())
                if _SAME.search(text):
                    values.setdefault("meal_type", last.meal_type)
                    values.setdefault("meal_delivery", last.delivery)
        return values

    def starting_values(self, resident: Resident, context: MealContext) -> Dict[str, Any]:
        return {"meal_canteen_id": str(resident.home_canteen_id)} if resident.home_canteen_id else {}

    def yes_values(self, requested: Optional[str]) -> Dict[str, Any]:
        # "要订几份？" — "行" / "中": the person's own portion; the read-back says "一份" before anything is written.
        return {"meal_quantity": 1.0} if requested == "meal_quantity" else {}

    def changed_words(self, slot: str, value: Any) -> str:
        if slot == "meal_type":
            return f"改成{meal_word(value)}"
        if slot == "meal_quantity":
            return f"改成{say_count(int(value))}"
        if slot == "meal_delivery":
            return "改成送到家" if value else "改成去食堂吃"
        return ""

    def offer_values(self, offer: Dict[str, Any]) -> Dict[str, Any]:
        values = {"meal_canteen_id": str(offer["canteen_id"]), "meal_date": offer["day"],
                  "meal_type": offer["meal_type"]}
        if offer.get("delivery") is not None:
            values["meal_delivery"] = offer["delivery"]
        return values

    def check(self, dispatcher: CollectingDispatcher, context: MealContext, state: Dict[str, Any],
              resident: Resident, session: Session) -> Dict[str, Any]:
        """Explain the first problem, take back the answer it concerns and offer the nearest alternative."""
        choice = choice_from(state)
        if choice is None:
            return {}
        problem = problem_with(session, context.rules, choice, context.now, resident.id)
        if problem is None:
            return {}
        canteen = session.get(Canteen, choice.canteen_id)
        who = who_for(context, resident.name)
        dispatcher.utter_message(text=problem_sentence(problem, choice, canteen, context.rules, context.today, who))
        if problem is Problem.DUPLICATE:
            return {"meal_stop": "duplicate"}
        updates: Dict[str, Any] = {slot: None for slot in CLEARS.get(problem, ())}
        updates["meal_confirmed"] = None
        found = alternatives(session, context.rules, choice, problem, context.now, resident.id)
        if not found:
            return updates
        buttons = []
        for option in found:
            option_canteen = session.get(Canteen, option.canteen_id)
            described = say_choice(option, option_canteen, context.today, resident.home_canteen_id)
            if problem is Problem.DELIVERY_FULL and option.delivery is False:
                described = "改成去食堂吃"
            buttons.append(offer_button(option, option_canteen, described))
        offers = [{**option.__dict__, "day": option.day.isoformat()} for option in found]
        updates.update(self.offer(dispatcher, offers, buttons, f"{buttons[0]['title']}还可以订，要订这个吗？", "不订了"))
        return updates
