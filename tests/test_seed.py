"""The demo district."""
import datetime as dt

from sqlalchemy import func, select

from actions.db.models import Canteen, MenuItem, Resident, ServiceType, StaffUser
from actions.db.seed import seed_demo_data


def test_demo_district(sessions) -> None:
    with sessions() as session:
        assert session.scalar(select(func.count(Canteen.id))) == 2
        assert session.scalar(select(func.count(Resident.id))) == 6
        assert session.scalar(select(func.count(StaffUser.id))) == 1
        assert session.scalar(select(func.count(ServiceType.id))) == 9
        days = session.scalars(select(MenuItem.day).distinct()).all()
        assert len(days) == 7 and min(days) == dt.date.today()
        for canteen in session.scalars(select(Canteen)):
            assert session.scalar(select(func.count(MenuItem.id)).where(MenuItem.canteen_id == canteen.id)) > 0


def test_seeding_twice_writes_nothing_more(sessions) -> None:
    assert seed_demo_data(sessions, dt.date.today()) == {}
    with sessions() as session:
        assert session.scalar(select(func.count(Resident.id))) == 6
