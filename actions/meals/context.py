"""The context of a meal action: the task's context and the meal rules in force."""
from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from actions import runtime
from actions.context import TaskContext, task_fields, who_for
from actions.meals.rules import MealRules, load_rules

__all__ = ["MealContext", "meal_context", "who_for"]


@dataclass(frozen=True)
class MealContext(TaskContext):
    rules: MealRules = None  # type: ignore[assignment]


def meal_context(tracker: Tracker) -> MealContext:
    return MealContext(**task_fields(tracker), rules=load_rules(runtime.settings().meals_config))
