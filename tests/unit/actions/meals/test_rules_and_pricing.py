"""The staff-edited meal rules and what a booking costs after subsidy."""
import datetime as dt
import os

import pytest

from actions.meals.pricing import quote
from actions.meals.rules import RulesError, load_rules, parse_rules
from bot.kernel.settings import PROJECT_ROOT


def test_demo_rules(rules) -> None:
    assert rules.cutoff(dt.date(2026, 11, 24), "午餐") == dt.datetime(2026, 11, 24, 9, 30)
    assert rules.cutoff(dt.date(2026, 11, 24), "晚餐") == dt.datetime(2026, 11, 24, 15, 0)
    assert rules.cutoff(dt.date(2026, 11, 24), "早餐") == dt.datetime(2026, 11, 23, 20, 0)
    assert (rules.max_quantity, rules.days_ahead) == (4, 14)


@pytest.mark.parametrize("age,label", [(95, "80岁及以上"), (80, "80岁及以上"), (79, "60到79岁"),
                                       (60, "60到79岁"), (59, None), (None, None)])
def test_subsidy_band_by_age(rules, age, label) -> None:
    band = rules.band_for(age)
    assert (band.label if band else None) == label


@pytest.mark.parametrize("age,quantity,delivery,subsidy,total", [
    (85, 1, False, 15.0, 0.0),      # 80 and over: own portion free
    (85, 2, True, 15.0, 18.0),      # the second portion pays in full, plus the delivery fee
    (70, 1, False, 5.0, 10.0),      # 60-79: five yuan off
    (70, 3, False, 5.0, 40.0),
    (55, 1, True, 0.0, 18.0),       # no subsidy under 60
])
def test_quote(rules, age, quantity, delivery, subsidy, total) -> None:
    price = quote(rules, 15.0, quantity, delivery, 3.0, age)
    assert (price.subsidy, price.total) == (subsidy, total)


def test_discount_never_exceeds_the_price(rules) -> None:
    assert quote(rules, 3.0, 1, False, 3.0, 65).total == 0.0


@pytest.mark.parametrize("raw,message", [
    ({"meals": {}}, "missing"),
    ({"meals": {"夜宵": {}}}, "unknown meal"),
    ({"meals": {m: {"serve": "7点", "cutoff": {"time": "09:30"}} for m in ("早餐", "午餐", "晚餐")}}, "time like"),
])
def test_mistakes_in_the_file_are_named(raw, message) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(raw)


def test_rules_are_read_again_when_the_file_changes(tmp_path) -> None:
    source = tmp_path / "meals.yml"
    text = (PROJECT_ROOT / "data" / "meals.yml").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    assert load_rules(source).max_quantity == 4
    source.write_text(text.replace("max_quantity: 4", "max_quantity: 6"), encoding="utf-8")
    os.utime(source, (1, 1))  # a different modification time, even within the same second
    assert load_rules(source).max_quantity == 6


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(RulesError, match="not found"):
        load_rules(tmp_path / "nope.yml")


def test_a_file_that_is_not_yaml_is_a_clear_error(tmp_path) -> None:
    broken = tmp_path / "meals.yml"
    broken.write_text("meals: [unclosed", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(broken)
