"""Slot arithmetic: capacity from the weekly template, what is left, and the nearest free slots."""
import datetime as dt

import pytest

from actions.services.slots import Problem, ServiceChoice, nearest_free, problem_with, remaining
from tests.conftest import NOW, TODAY
from tests.unit.actions.services.conftest import SUNDAY, TUESDAY, book

pytestmark = pytest.mark.both_databases


def check(sessions, catalogue, choice, now=NOW, resident_id=None):
    with sessions() as session:
        return problem_with(session, catalogue, choice, now, resident_id)


@pytest.mark.parametrize("choice,problem", [
    (ServiceChoice("bathing", TUESDAY, "上午"), None),
    (ServiceChoice("bathing", TUESDAY), None),
    (ServiceChoice("bathing"), None),
    (ServiceChoice("nursing", TUESDAY, "上午"), Problem.NEEDS_ASSESSMENT),
    (ServiceChoice("bathing", TODAY - dt.timedelta(days=1), "上午"), Problem.PAST),
    (ServiceChoice("bathing", TODAY, "上午"), Problem.PAST),      # 08:00: the morning round leaves at 08:30
    (ServiceChoice("bathing", TODAY, "下午"), None),              # two hours' notice before 14:00
    (ServiceChoice("bathing", TODAY + dt.timedelta(days=15), "上午"), Problem.TOO_FAR),
    (ServiceChoice("bathing", SUNDAY, "上午"), Problem.CLOSED),
    (ServiceChoice("cleaning", dt.date(2026, 11, 28), "下午"), Problem.CLOSED),  # Saturday afternoon
])
def test_problems(sessions, catalogue, choice, problem) -> None:
    assert check(sessions, catalogue, choice) == problem


def test_capacity_comes_from_the_weekly_template(catalogue) -> None:
    cleaning = catalogue.by_code("cleaning")
    assert cleaning.capacity_on(TUESDAY, "上午") == 3
    assert cleaning.capacity_on(dt.date(2026, 11, 28), "上午") == 2
    assert cleaning.capacity_on(SUNDAY, "下午") == 0


def test_remaining_goes_down_with_bookings_and_full_is_refused(sessions, catalogue) -> None:
    bathing = catalogue.by_code("bathing")
    with sessions() as session:
        assert remaining(session, bathing, TUESDAY, "上午") == 2
    assert book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=1).ok
    assert book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=2).ok
    with sessions() as session:
        assert remaining(session, bathing, TUESDAY, "上午") == 0
    assert check(sessions, catalogue, ServiceChoice("bathing", TUESDAY, "上午")) is Problem.FULL
    assert book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=3).problem is Problem.FULL


def test_the_same_service_twice_a_day_is_a_duplicate(sessions, catalogue) -> None:
    assert book(sessions, catalogue, "bathing", TUESDAY, "上午").ok
    assert check(sessions, catalogue, ServiceChoice("bathing", TUESDAY, "下午"), resident_id=1) is Problem.DUPLICATE


def test_two_nearest_free_slots(sessions, catalogue) -> None:
    book(sessions, catalogue, "bathing", TUESDAY, "下午", resident_id=1)
    book(sessions, catalogue, "bathing", TUESDAY, "下午", resident_id=2)
    with sessions() as session:
        found = nearest_free(session, catalogue, ServiceChoice("bathing", TUESDAY, "下午"), NOW)
    # Nearest to Tuesday afternoon: Tuesday morning, then Wednesday morning (Monday afternoon is further away).
    assert found == [ServiceChoice("bathing", TUESDAY, "上午"),
                     ServiceChoice("bathing", TUESDAY + dt.timedelta(days=1), "上午")]


def test_nearest_free_skips_closed_days(sessions, catalogue) -> None:
    with sessions() as session:
        found = nearest_free(session, catalogue, ServiceChoice("bathing", SUNDAY, "上午"), NOW)
    assert found == [ServiceChoice("bathing", dt.date(2026, 11, 28), "上午"),
                     ServiceChoice("bathing", dt.date(2026, 11, 30), "上午")]
