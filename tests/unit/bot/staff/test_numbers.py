"""Numbers: 30 days of meal portions, home visits and the share of turns not understood."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from actions.db.models import MealBooking, NotUnderstoodTurn, ServiceBooking, ServiceSlot
from actions.meals.availability import MealChoice
from actions.meals.booking import MealRequest, book
from actions.meals.rules import load_rules
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import NOW, TODAY
from tests.unit.bot.staff.console_helpers import admin_client, staff_client, table_rows

pytestmark = pytest.mark.both_databases

PAST = TODAY - dt.timedelta(days=3)  # 2026-11-20
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _epoch(local: dt.datetime) -> float:
    return local.replace(tzinfo=SHANGHAI).timestamp()


def _utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=SHANGHAI).astimezone(dt.timezone.utc).replace(tzinfo=None)


def _day_rows(html):
    return {row[0]: row[1:] for row in table_rows(html) if row and row[0][:4].isdigit()}


def _known_figures(sessions) -> None:
    rules = load_rules(PROJECT_ROOT / "data" / "meals.yml")
    for resident_id, quantity, delivery in ((1, 2, True), (2, 1, False)):  # today's lunch, before the 09:30 cut-off
        choice = MealChoice(1, TODAY, "午餐", quantity, delivery)
        assert book(sessions, rules, MealRequest(resident_id, choice, f"resident:{resident_id}"), NOW).ok
    with sessions.begin() as session:
        meal = dict(canteen_id=1, meal_type="午餐", booked_by="staff:1")
        session.add_all([
            MealBooking(resident_id=3, day=TODAY, quantity=5, status="cancelled", **meal),  # not counted
            MealBooking(resident_id=3, day=PAST, quantity=3, **meal),
            MealBooking(resident_id=4, day=PAST, quantity=1, **meal),
            MealBooking(resident_id=4, day=PAST - dt.timedelta(days=40), quantity=9, **meal),  # outside the window
        ])
        slot = ServiceSlot(service_type_id=1, day=PAST, half_day="上午", capacity=3, booked=1)
        session.add(slot)
        session.flush()
        session.add_all([ServiceBooking(resident_id=1, slot_id=slot.id, status="done", booked_by="staff:1"),
                         ServiceBooking(resident_id=2, slot_id=slot.id, status="confirmed", booked_by="staff:1"),
                         ServiceBooking(resident_id=3, slot_id=slot.id, status="cancelled", booked_by="staff:1")])
        # Rasa's tracker store table, as Rasa makes it (only the columns read here).
        session.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                             "type_name VARCHAR(255), timestamp FLOAT, data TEXT)"))
        turns = [("user", dt.datetime(2026, 11, 20, 0, 30)),  # 16:30 UTC the day before: still the 20th here
                 ("user", dt.datetime(2026, 11, 20, 9, 0)), ("user", dt.datetime(2026, 11, 20, 9, 1)),
                 ("user", dt.datetime(2026, 11, 20, 23, 50)), ("bot", dt.datetime(2026, 11, 20, 9, 0)),
                 ("user", dt.datetime(2026, 11, 23, 7, 0)), ("user", dt.datetime(2026, 9, 1, 9, 0))]
        for number, (kind, local) in enumerate(turns, start=1):
            session.execute(text("INSERT INTO events (id, sender_id, type_name, timestamp) VALUES (:i, 's', :t, :ts)"),
                            {"i": number, "t": kind, "ts": _epoch(local)})
        session.add(NotUnderstoodTurn(event_id=3, sender_id="s", text="那个啥", at=_utc(dt.datetime(2026, 11, 20, 9, 1))))


def test_the_figures_of_known_days(console, sessions) -> None:
    _known_figures(sessions)
    page = admin_client(console.url, sessions).get("/numbers")
    assert page.status_code == 200 and "2026-10-25 至 2026-11-23" in page.text
    days = _day_rows(page.text)
    assert len(days) == 30 and "2026-10-24" not in days
    # date: portions, visits, user turns, not understood, share
    assert days["2026-11-20"] == ["4", "2", "4", "1", "25%"]
    assert days["2026-11-23"] == ["3", "0", "1", "0", "0%"]
    assert days["2026-11-21"] == ["0", "0", "0", "0", "0%"]
    assert "合计：订餐 <strong>7</strong> 份 · 上门服务 <strong>2</strong> 次" in page.text
    # The bars say their numbers too; a day with a quarter not understood is drawn red.
    assert "<title>11月20日：4份</title>" in page.text and "<title>11月20日：2次</title>" in page.text
    assert 'class="bad"><title>11月20日：25%</title>' in page.text
    daily = page.text.split('id="alert-answers"')[0]  # the weekly alert charts follow (test_alert_numbers.py)
    assert daily.count("<rect ") == 90 and daily.count("<svg ") == 3


def test_without_rasas_events_table_there_are_no_turns(console, sessions) -> None:
    with sessions.begin() as session:
        session.add(NotUnderstoodTurn(event_id=1, sender_id="s", text="嗯", at=_utc(dt.datetime(2026, 11, 22, 9, 0))))
    page = admin_client(console.url, sessions).get("/numbers")
    assert page.status_code == 200
    assert _day_rows(page.text)["2026-11-22"] == ["0", "0", "0", "1", "0%"]
    assert "对话 <strong>0</strong> 句" in page.text


def test_staff_users_see_the_numbers(console, sessions) -> None:
    page = staff_client(console.url, sessions).get("/numbers")
    assert page.status_code == 200 and "每天没听懂的话占比" in page.text and "工作人员</a>" not in page.text
