"""The demo district."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from actions.db.models import Canteen, MenuItem, Resident, ServiceType, StaffUser
from actions.db.seed import ensure_menus, seed_demo_data
from tests.conftest import TODAY

pytestmark = pytest.mark.both_databases


def test_demo_district(sessions) -> None:
    with sessions() as session:
        assert session.scalar(select(func.count(Canteen.id))) == 2
        assert session.scalar(select(func.count(Resident.id))) == 6
        assert session.scalar(select(func.count(StaffUser.id))) == 1
        assert session.scalar(select(func.count(ServiceType.id))) == 9
        days = session.scalars(select(MenuItem.day).distinct()).all()
        assert len(days) == 7 and min(days) == TODAY
        for canteen in session.scalars(select(Canteen)):
            assert session.scalar(select(func.count(MenuItem.id)).where(MenuItem.canteen_id == canteen.id)) > 0


def test_seeding_twice_writes_nothing_more(sessions) -> None:
    assert seed_demo_data(sessions, TODAY) == {}
    assert ensure_menus(sessions, TODAY) == 0
    with sessions() as session:
        assert session.scalar(select(func.count(Resident.id))) == 6


def test_menus_are_topped_up_for_a_later_week(sessions) -> None:
    later = TODAY + dt.timedelta(days=5)
    assert ensure_menus(sessions, later) > 0
    with sessions() as session:
        days = session.scalars(select(MenuItem.day).distinct()).all()
    assert max(days) == later + dt.timedelta(days=6)


def test_canteens_serve_their_meals_at_a_set_price(sessions) -> None:
    from actions.db.models import CanteenMeal

    with sessions() as session:
        meals = {(m.canteen.short_name, m.meal_type): (m.price, m.capacity) for m in session.scalars(select(CanteenMeal))}
    assert meals[("幸福里", "午餐")] == (15.0, 40)
    assert ("康乐苑", "早餐") not in meals


def test_a_database_of_no_known_version_is_refused_clearly(tmp_path) -> None:
    import sqlite3

    import pytest

    from actions.db.schema import SchemaUnrecognised, create_schema
    from actions.db.session import make_engine

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE canteens (id INTEGER PRIMARY KEY, name TEXT, lunch_capacity INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(SchemaUnrecognised, match="canteens"):
        create_schema(engine)
    engine.dispose()
