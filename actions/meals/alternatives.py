"""The nearest meal that can be booked instead: another canteen the same meal, or the next meal with room."""
from __future__ import annotations

import datetime as dt
from typing import Iterator, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import Canteen
from actions.meals.availability import MealChoice, Problem, problem_with
from actions.meals.rules import MEAL_TYPES, MealRules

# Problems no other day or canteen can solve: the person must change what they said.
NO_ALTERNATIVE = (Problem.TOO_MANY, Problem.DUPLICATE, Problem.TOO_FAR)


def _later_sittings(start: dt.date, meal_type: str, days: int) -> Iterator[tuple]:
    """(day, meal) after the given one in time order, for `days` days."""
    order = list(MEAL_TYPES)
    first = order.index(meal_type) + 1 if meal_type in order else 0
    for offset in range(days + 1):
        day = start + dt.timedelta(days=offset)
        for meal in order[first if offset == 0 else 0:]:
            yield day, meal


def alternatives(session: Session, rules: MealRules, choice: MealChoice, problem: Problem,
                 now: dt.datetime, resident_id: Optional[int] = None, limit: int = 2) -> List[MealChoice]:
    """Up to `limit` bookable choices close to the one refused, nearest first."""
    if problem in NO_ALTERNATIVE or choice.meal_type is None:
        return []
    found: List[MealChoice] = []
    day = max(choice.day or now.date(), now.date())
    if problem is Problem.DELIVERY_FULL:
        dine_in = MealChoice(choice.canteen_id, day, choice.meal_type, choice.quantity, False)
        if problem_with(session, rules, dine_in, now, resident_id) is None:
            found.append(dine_in)
    others = session.scalars(select(Canteen.id).where(Canteen.id != choice.canteen_id).order_by(Canteen.id))
    for canteen_id in others:
        if problem is Problem.PAST or problem is Problem.CUTOFF:
            break  # another canteen has the same cut-off; the next meal is the answer
        other = MealChoice(canteen_id, day, choice.meal_type, choice.quantity, choice.delivery)
        if problem_with(session, rules, other, now, resident_id) is None:
            found.append(other)
            break
    if problem is Problem.PAST:
        # The same meal on the first day it can still be booked.
        candidates = ((day + dt.timedelta(days=k), choice.meal_type) for k in range(rules.days_ahead + 1))
    else:
        candidates = _later_sittings(day, choice.meal_type, rules.days_ahead)
    for later_day, meal in candidates:
        if len(found) >= limit:
            break
        later = MealChoice(choice.canteen_id, later_day, meal, choice.quantity, choice.delivery)
        if problem_with(session, rules, later, now, resident_id) is None:
            found.append(later)
            break
    return found[:limit]
