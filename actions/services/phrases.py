"""What the home-service dialogue says: short sentences fit to be read aloud."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from actions.db.models import Resident
from actions.lang.spoken import say_date, say_money
from actions.services.booking import ServicePrice
from actions.services.catalogue import Service
from actions.services.slots import DAYS_AHEAD, Problem, ServiceChoice

DISABILITY_FLAGS = ("失能", "半失能")

PROBLEM_SENTENCES = {
    Problem.PAST: "{when}来不及了，要提前两个小时约。",
    Problem.TOO_FAR: "只能约{days}天以内的。",
    Problem.CLOSED: "{when}{service}不上门。",
    Problem.FULL: "{when}的{service}已经约满了。",
    Problem.DUPLICATE: "{who}{when}已经约过{service}了。要改的话，先说“取消{service}”，再重新约。",
}


def say_when(choice: ServiceChoice, today: dt.date, time_note: Optional[str] = None) -> str:
    when = say_date(choice.day, today) if choice.day else ""
    return when + (time_note or choice.half_day or "")


def say_duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return "一个小时" if hours == 1 else f"{'两' if hours == 2 else hours}个小时"
    return "半个小时" if minutes == 30 else f"{minutes}分钟"


def problem_sentence(problem: Problem, choice: ServiceChoice, service: Service, today: dt.date,
                     who: str = "您") -> str:
    return PROBLEM_SENTENCES[problem].format(when=say_when(choice, today), service=service.name, who=who,
                                             days=DAYS_AHEAD)


def assessment_sentence(service: Service, resident: Resident, phone: str, who: str = "您") -> str:
    """Nursing needs an assessment first: how to get one, and what a disabled resident may claim."""
    text = (f"{service.name}要先做一次能力评估，评估以后才能约。请打社区电话{phone}，"
            "工作人员会上门评估，不收费。")
    return text + disability_note(resident, who)


def disability_note(resident: Resident, who: str = "您") -> str:
    """A resident flagged 失能 or 半失能 is told what they may claim."""
    flags = set((resident.flags or "").split(","))
    flag = next((f for f in DISABILITY_FLAGS if f in flags), None)
    if flag is None:
        return ""
    return f"{who}是{flag}老人，还可以申请长期护理保险和护理补贴，详细可以问社区。"


def price_sentence(price: ServicePrice, who: str = "您") -> str:
    if price.unit_price == 0:
        return "不收费。"
    if price.subsidy:
        paid = "不用花钱" if price.total == 0 else f"只要{say_money(price.total)}"
        return f"{price.label}，{who}有补贴，{paid}。"
    return f"一次{say_money(price.unit_price)}。"


def read_back(service: Service, choice: ServiceChoice, time_note: str, note: str, price: ServicePrice,
              today: dt.date, who: str) -> str:
    target = "" if who == "您" else f"给{who}"
    extra = f"，{note}" if note else ""
    return (f"我念一下：{target}约{service.name}，{say_when(choice, today, time_note)}{extra}。"
            f"大约{say_duration(service.duration_minutes)}。{price_sentence(price, who)}对吗？")
