"""Demo data for one sample district: canteens, a week of menus, services, residents."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import (
    Canteen,
    CanteenMeal,
    FamilyLink,
    FamilyMember,
    MenuItem,
    Resident,
    ServiceSlot,
    ServiceType,
    StaffUser,
)

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

SERVICES = [
    dict(code="cleaning", name="助洁", duration_minutes=120, price=40.0, needs_assessment=False,
         description="上门打扫卫生、擦窗户、整理房间"),
    dict(code="bathing", name="助浴", duration_minutes=60, price=50.0, needs_assessment=False,
         description="上门协助洗澡，两名护理员"),
    dict(code="escort", name="助医", duration_minutes=180, price=60.0, needs_assessment=False,
         description="陪同去医院看病、取药"),
    dict(code="shopping", name="代购", duration_minutes=60, price=10.0, needs_assessment=False,
         description="代买菜、买药、买日用品"),
    dict(code="laundry", name="洗衣", duration_minutes=60, price=15.0, needs_assessment=False,
         description="上门收送衣物被褥清洗"),
    dict(code="companionship", name="陪聊", duration_minutes=60, price=0.0, needs_assessment=False,
         description="志愿者上门聊天、读报"),
    dict(code="haircut", name="理发", duration_minutes=30, price=10.0, needs_assessment=False,
         description="上门理发"),
    dict(code="repair", name="维修", duration_minutes=90, price=20.0, needs_assessment=False,
         description="水管、电灯、门锁等小修小补"),
    dict(code="nursing", name="上门护理", duration_minutes=60, price=80.0, needs_assessment=True,
         description="护士上门换药、测血糖、压疮护理，需要先做能力评估"),
]

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


def _slots(services: list[ServiceType], first_day: dt.date, days: int) -> list[ServiceSlot]:
    slots = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for service in services:
            for half in ("上午", "下午"):
                capacity = 0 if day.isoweekday() == 7 else 3
                slots.append(ServiceSlot(service_type_id=service.id, day=day, half_day=half,
                                         capacity=capacity, booked=0))
    return slots


def is_seeded(sessions: sessionmaker) -> bool:
    with sessions() as session:
        return (session.scalar(select(func.count(Resident.id))) or 0) > 0


def seed_demo_data(sessions: sessionmaker, today: dt.date) -> dict:
    """Write the demo district unless residents exist already; returns what was written."""
    if is_seeded(sessions):
        return {}
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
        services = [ServiceType(**row) for row in SERVICES]
        session.add_all(services)
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
        slots = _slots(services, today, 14)
        session.add_all(slots)
        session.add(StaffUser(username="admin", display_name="社区管理员", role="admin"))
    ensure_menus(sessions, today)
    with sessions() as session:
        return _counts(session)


def _counts(session: Session) -> dict:
    return {
        "canteens": session.scalar(select(func.count(Canteen.id))),
        "menu_items": session.scalar(select(func.count(MenuItem.id))),
        "services": session.scalar(select(func.count(ServiceType.id))),
        "service_slots": session.scalar(select(func.count(ServiceSlot.id))),
        "residents": session.scalar(select(func.count(Resident.id))),
        "family_members": session.scalar(select(func.count(FamilyMember.id))),
        "staff_users": session.scalar(select(func.count(StaffUser.id))),
    }
