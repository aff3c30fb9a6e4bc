"""What a booking costs after the age subsidy and the delivery fee."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from actions.meals.rules import MealRules


@dataclass(frozen=True)
class Quote:
    unit_price: float
    quantity: int
    subsidy: float  # taken off the resident's own portion
    delivery_fee: float
    band_label: str = ""

    @property
    def total(self) -> float:
        return round(self.unit_price * self.quantity - self.subsidy + self.delivery_fee, 2)

    @property
    def own_portion(self) -> float:
        return round(self.unit_price - self.subsidy, 2)


def quote(rules: MealRules, unit_price: float, quantity: int, delivery: bool, delivery_fee: float,
          age: Optional[int]) -> Quote:
    """The price of `quantity` portions; the subsidy covers one portion, the resident's own."""
    band = rules.band_for(age)
    subsidy = round(band.subsidy_on(unit_price), 2) if band else 0.0
    return Quote(unit_price=unit_price, quantity=quantity, subsidy=subsidy,
                 delivery_fee=delivery_fee if delivery else 0.0, band_label=band.label if band else "")
