"""Meal rules from the staff-edited configuration file: cut-offs, limits, subsidies."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from actions.yaml_files import ReloadingFile

MEAL_TYPES = ("早餐", "午餐", "晚餐")


class RulesError(ValueError):
    """The meal configuration file is missing or wrong; the message says where."""


@dataclass(frozen=True)
class MealTimes:
    """When a meal is served and until when it can be booked or cancelled."""

    meal_type: str
    serve: dt.time
    cutoff_days_before: int
    cutoff_time: dt.time

    def cutoff_for(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day - dt.timedelta(days=self.cutoff_days_before), self.cutoff_time)


@dataclass(frozen=True)
class SubsidyBand:
    """One age band of the meal subsidy (applies to the resident's own portion)."""

    label: str
    min_age: int
    max_age: Optional[int] = None
    free: bool = False
    discount: float = 0.0

    def covers(self, age: int) -> bool:
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)

    def subsidy_on(self, price: float) -> float:
        return price if self.free else min(price, self.discount)


@dataclass(frozen=True)
class MealRules:
    meals: Dict[str, MealTimes]
    max_quantity: int
    days_ahead: int
    subsidy: Tuple[SubsidyBand, ...]

    def band_for(self, age: Optional[int]) -> Optional[SubsidyBand]:
        if age is None:
            return None
        return next((band for band in self.subsidy if band.covers(age)), None)

    def cutoff(self, day: dt.date, meal_type: str) -> dt.datetime:
        return self.meals[meal_type].cutoff_for(day)


def _time(raw: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(raw))
    except ValueError as exc:
        raise RulesError(f"{where}: expected a time like 09:30, got {raw!r}") from exc


def parse_rules(raw: Dict[str, Any]) -> MealRules:
    """Build rules from the YAML mapping, with a clear error for each mistake."""
    if not isinstance(raw, dict):
        raise RulesError("the meal configuration must be a mapping")
    meals: Dict[str, MealTimes] = {}
    for name, entry in (raw.get("meals") or {}).items():
        if name not in MEAL_TYPES:
            raise RulesError(f"meals: unknown meal {name!r} (use {', '.join(MEAL_TYPES)})")
        cutoff = entry.get("cutoff") or {}
        meals[name] = MealTimes(
            meal_type=name,
            serve=_time(entry.get("serve"), f"meals.{name}.serve"),
            cutoff_days_before=int(cutoff.get("days_before", 0)),
            cutoff_time=_time(cutoff.get("time"), f"meals.{name}.cutoff.time"),
        )
    missing = [name for name in MEAL_TYPES if name not in meals]
    if missing:
        raise RulesError(f"meals: missing {', '.join(missing)}")
    booking = raw.get("booking") or {}
    bands = []
    for index, entry in enumerate(raw.get("subsidy") or []):
        if "min_age" not in entry:
            raise RulesError(f"subsidy[{index}]: min_age is required")
        bands.append(SubsidyBand(label=str(entry.get("label", "")), min_age=int(entry["min_age"]),
                                 max_age=int(entry["max_age"]) if entry.get("max_age") is not None else None,
                                 free=bool(entry.get("free", False)), discount=float(entry.get("discount", 0))))
    rules = MealRules(meals=meals, max_quantity=int(booking.get("max_quantity", 4)),
                      days_ahead=int(booking.get("days_ahead", 14)), subsidy=tuple(bands))
    if rules.max_quantity < 1 or rules.days_ahead < 1:
        raise RulesError("booking: max_quantity and days_ahead must be at least 1")
    return rules


_rules_file: "ReloadingFile[MealRules]" = ReloadingFile(parse_rules, RulesError, "meal configuration")


def load_rules(path: Path) -> MealRules:
    """The rules in the file, read again whenever the file changes."""
    return _rules_file.load(path)
