"""Demo data for one sample district: canteens, a week of menus, services, residents."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.activities.demo import seed_activities
from actions.db.models import (
    Canteen,
    CanteenMeal,
    FamilyLink,
    FamilyMember,
    MenuItem,
    Resident,
    ServiceType,
    StaffUser,
)
from actions.services.catalogue import load_catalogue
from bot.kernel.settings import PROJECT_ROOT

DEFAULT_CATALOGUE = PROJECT_ROOT / "data" / "services.yml"

CANTEENS = [
    dict(name="幸福里幸福食堂", short_name="幸福里", address="幸福里小区3号楼一层", phone="010-6688-2001",
         opening_hours="每天 7:00-19:00", closed_weekdays="", delivery_fee=3.0, delivery_daily_limit=20,
         meals={"早餐": (5.0, 30), "午餐": (15.0, 40), "晚餐": (12.0, 30)}),
    dict(name="康乐苑助餐点", short_name="康乐苑", address="康乐苑社区活动中心东侧", phone="010-6688-2002",
         opening_hours="周一至周六 10:30-18:30", closed_weekdays="7", delivery_fee=2.0, delivery_daily_limit=10,
         meals={"午餐": (13.0, 25), "晚餐": (10.0, 20)}),
]

# Dishes per meal type: (dish, tags). Rotated over the days. The set price of a
# meal (one portion of the day's dishes) is the canteen's, above.
DISHES = {
    "早餐": [("小米粥", "软烂,低糖,素"), ("鸡蛋羹", "软烂,低盐"), ("素包子", "素"),
            ("豆浆", "低糖,素"), ("花卷", "素"), ("燕麦粥", "软烂,低糖,素")],
    "午餐": [("清蒸鲈鱼", "低盐,低糖"), ("西红柿炒鸡蛋", "软烂"), ("红烧豆腐", "软烂,素"),
            ("土豆炖牛肉", "清真,软烂"), ("清炒西兰花", "低盐,低糖,素"), ("冬瓜排骨汤", "低盐,低糖"),
            ("肉末茄子", "软烂"), ("白灼虾", "低盐,低糖"), ("蒸南瓜", "软烂,素,低盐")],
    "晚餐": [("小馄饨", "软烂"), ("青菜面条", "软烂,素"), ("山药排骨汤", "低盐,低糖"),
            ("香菇青菜", "素,低盐,低糖"), ("鲫鱼豆腐汤", "软烂,低盐,低糖"), ("杂粮饭", "低糖,素"),
            ("糖醋里脊", "")],
}

RESIDENTS = [
    dict(name="张桂英", gender="女", birth_date=dt.date(1941, 3, 12), phone="13800001234",
         address="幸福里小区3号楼2单元101", canteen=0, dietary_notes="低盐", flags="独居"),
    dict(name="王建国", gender="男", birth_date=dt.date(1944, 8, 1), phone="13800005678",
         address="幸福里小区5号楼1单元302", canteen=0, dietary_notes="糖尿病,低糖", flags=""),
    dict(name="李秀兰", gender="女", birth_date=dt.date(1950, 11, 30), phone="13900002468",
         address="康乐苑7号楼4单元201", canteen=1, dietary_notes="软烂", flags="低保"),
    dict(name="刘德明", gender="男", birth_date=dt.date(1938, 1, 20), phone="13700003579",
         address="康乐苑2号楼1单元101", canteen=1, dietary_notes="清真", flags="失能"),
    dict(name="陈淑珍", gender="女", birth_date=dt.date(1956, 6, 6), phone="13600001357",
         address="幸福里小区8号楼3单元502", canteen=0, dietary_notes="", flags=""),
    dict(name="赵福海", gender="男", birth_date=dt.date(1946, 12, 5), phone="13500009753",
         address="幸福里小区1号楼1单元102", canteen=0, dietary_notes="素", flags="独居,半失能"),
]

FAMILY = [
    dict(name="张丽", phone="13811112222", relation="女儿", residents=[0]),
    dict(name="王强", phone="13833334444", relation="儿子", residents=[1]),
    dict(name="刘洋", phone="13855556666", relation="孙子", residents=[3, 5]),
]


def _rotate(items: list, start: int, count: int) -> Iterable:
    for k in range(count):
        yield items[(start + k) % len(items)]


def _menu_for_day(canteen: Canteen, index: int, day: dt.date) -> list[MenuItem]:
    if canteen.closed_on(day):
        return []
    menu = []
    rotation = day.toordinal() * 2 + index
    for meal in canteen.meals:
        count = 3 if meal.meal_type == "早餐" else 4
        for dish, tags in _rotate(DISHES[meal.meal_type], rotation, count):
            menu.append(MenuItem(canteen_id=canteen.id, day=day, meal_type=meal.meal_type, dish=dish, tags=tags))
    return menu


def ensure_menus(sessions: sessionmaker, first_day: dt.date, days: int = 7) -> int:
    """Write demo menus for the coming days that have none yet (the demo stays usable); returns dishes written."""
    written = 0
    with sessions.begin() as session:
        canteens = list(session.scalars(select(Canteen).order_by(Canteen.id)))
        for offset in range(days):
            day = first_day + dt.timedelta(days=offset)
            for index, canteen in enumerate(canteens):
                has_menu = session.scalar(select(func.count(MenuItem.id)).where(
                    MenuItem.canteen_id == canteen.id, MenuItem.day == day))
                if has_menu:
                    continue
                dishes = _menu_for_day(canteen, index, day)
                session.add_all(dishes)
                written += len(dishes)
    return written


def sync_services(sessions: sessionmaker, catalogue_path: Path = DEFAULT_CATALOGUE) -> int:
    """Make the service rows match the catalogue file (added or renamed services); returns rows written."""
    catalogue = load_catalogue(catalogue_path)
    written = 0
    with sessions.begin() as session:
        existing = {row.code: row for row in session.scalars(select(ServiceType))}
        for service in catalogue.services:
            row = existing.get(service.code) or ServiceType(code=service.code)
            values = dict(name=service.name, duration_minutes=service.duration_minutes, price=service.price,
                          needs_assessment=service.needs_assessment, description=service.description)
            if row.id is None or any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                session.add(row)
                written += 1
    return written


def is_seeded(sessions: sessionmaker) -> bool:
    with sessions() as session:
        return (session.scalar(select(func.count(Resident.id))) or 0) > 0


def seed_demo_data(sessions: sessionmaker, today: dt.date, catalogue_path: Path = DEFAULT_CATALOGUE) -> dict:
    """Write the demo district unless residents exist already; returns what was written."""
    if is_seeded(sessions):
        return {}
    sync_services(sessions, catalogue_path)
    with sessions.begin() as session:
        canteens = []
        for row in CANTEENS:
            row = dict(row)
            meals = row.pop("meals")
            canteen = Canteen(**row)
            canteen.meals = [CanteenMeal(meal_type=meal, price=price, capacity=capacity)
                             for meal, (price, capacity) in meals.items()]
            canteens.append(canteen)
        session.add_all(canteens)
        session.flush()
        residents = []
        for row in RESIDENTS:
            row = dict(row)
            canteen = canteens[row.pop("canteen")]
            residents.append(Resident(home_canteen_id=canteen.id, **row))
        session.add_all(residents)
        session.flush()
        for row in FAMILY:
            member = FamilyMember(name=row["name"], phone=row["phone"])
            session.add(member)
            session.flush()
            for index in row["residents"]:
                session.add(FamilyLink(family_member_id=member.id, resident_id=residents[index].id,
                                       relation=row["relation"]))
        session.add(StaffUser(username="admin", display_name="社区管理员", role="admin"))
    ensure_menus(sessions, today)
    seed_activities(sessions, today)
    with sessions() as session:
        return _counts(session)


def _counts(session: Session) -> dict:
    return {
        "canteens": session.scalar(select(func.count(Canteen.id))),
        "menu_items": session.scalar(select(func.count(MenuItem.id))),
        "services": session.scalar(select(func.count(ServiceType.id))),
        "residents": session.scalar(select(func.count(Resident.id))),
        "family_members": session.scalar(select(func.count(FamilyMember.id))),
        "staff_users": session.scalar(select(func.count(StaffUser.id))),
    }
