"""Who a meal action serves and acts for, the rules in force, and the local time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from rasa_sdk import Tracker

from actions import runtime
from actions.clock import local_now
from actions.meals.rules import MealRules, load_rules
from actions.tracker_utils import resident_id


@dataclass(frozen=True)
class MealContext:
    resident_id: Optional[int]
    actor: str  # "resident:3", "family:2" — written into bookings and cancellations
    is_family: bool
    now: dt.datetime
    rules: MealRules

    @property
    def today(self) -> dt.date:
        return self.now.date()


def meal_context(tracker: Tracker) -> MealContext:
    settings = runtime.settings()
    rid = resident_id(tracker)
    family = tracker.get_slot("actor_role") == "family" and tracker.get_slot("family_member_id")
    actor = f"family:{tracker.get_slot('family_member_id')}" if family else f"resident:{rid}"
    return MealContext(resident_id=rid, actor=actor, is_family=bool(family), now=local_now(settings),
                       rules=load_rules(settings.meals_config))


def who_for(context: MealContext, resident_name: Optional[str]) -> str:
    """How the resident is named in a sentence: 您 to themselves, by name to family."""
    if context.is_family:
        return resident_name or "您"
    return "您"
