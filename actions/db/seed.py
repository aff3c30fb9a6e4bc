"""Demo data for one sample district: canteens, a week of menus, services, residents."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import (
    Canteen,
    FamilyLink,
    FamilyMember,
    MenuItem,
    Resident,
    ServiceSlot,
    ServiceType,
    StaffUser,
)

CANTEENS = [
    dict(name="幸福里幸福食堂", address="幸福里小区3号楼一层", phone="010-6688-2001",
         opening_hours="每天 7:00-19:00", meals_served="早餐,午餐,晚餐", closed_weekdays="",
         lunch_capacity=40, dinner_capacity=30, delivery_fee=3.0, delivery_daily_limit=20),
    dict(name="康乐苑助餐点", address="康乐苑社区活动中心东侧", phone="010-6688-2002",
         opening_hours="周一至周六 10:30-18:30", meals_served="午餐,晚餐", closed_weekdays="7",
         lunch_capacity=25, dinner_capacity=20, delivery_fee=2.0, delivery_daily_limit=10),
]

# Dishes per meal type: (dish, tags, price). Rotated over the week.
DISHES = {
    "早餐": [("小米粥", "软烂,低糖", 1.0), ("鸡蛋羹", "软烂,低盐", 2.0), ("素包子", "素", 1.5),
            ("豆浆", "低糖,素", 1.0), ("花卷", "素", 1.0), ("燕麦粥", "软烂,低糖", 1.5)],
    "午餐": [("清蒸鲈鱼", "低盐", 12.0), ("西红柿炒鸡蛋", "软烂", 6.0), ("红烧豆腐", "软烂,素", 5.0),
            ("土豆炖牛肉", "清真,软烂", 14.0), ("清炒西兰花", "低盐,素", 5.0), ("冬瓜排骨汤", "低盐", 8.0),
            ("肉末茄子", "软烂", 7.0), ("白灼虾", "低盐", 15.0), ("蒸南瓜", "软烂,素,低盐", 3.0)],
    "晚餐": [("小馄饨", "软烂", 6.0), ("青菜面条", "软烂,素", 5.0), ("山药排骨汤", "低盐", 9.0),
            ("香菇青菜", "素,低盐", 5.0), ("鲫鱼豆腐汤", "软烂,低盐", 10.0), ("杂粮饭", "低糖,素", 2.0)],
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


def _menus(canteens: list[Canteen], first_day: dt.date, days: int) -> list[MenuItem]:
    menu = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for index, canteen in enumerate(canteens):
            if str(day.isoweekday()) in canteen.closed_weekdays.split(","):
                continue
            for meal in canteen.meals_served.split(","):
                count = 3 if meal == "早餐" else 4
                for dish, tags, price in _rotate(DISHES[meal], offset * 2 + index, count):
                    menu.append(MenuItem(canteen_id=canteen.id, day=day, meal_type=meal,
                                         dish=dish, tags=tags, price=price))
    return menu


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
        canteens = [Canteen(**row) for row in CANTEENS]
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
        menu = _menus(canteens, today, 7)
        session.add_all(menu)
        slots = _slots(services, today, 14)
        session.add_all(slots)
        session.add(StaffUser(username="admin", display_name="社区管理员", role="admin"))
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
