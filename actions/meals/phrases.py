"""What the meal service says: short sentences fit to be read aloud to an 80-year-old."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from actions.db.models import Canteen, MealBooking
from actions.lang.spoken import say_count, say_date, say_money
from actions.meals.availability import MealChoice, Problem
from actions.meals.menu import MEAL_WORDS
from actions.meals.pricing import Quote
from actions.meals.rules import MealRules


def meal_word(meal_type: Optional[str]) -> str:
    return MEAL_WORDS.get(meal_type or "", meal_type or "")


def say_clock(time: dt.time) -> str:
    """09:30 → 上午9点半, 15:00 → 下午3点, 20:00 → 晚上8点."""
    hour = time.hour
    part = "早上" if hour < 9 else "上午" if hour < 12 else "中午" if hour < 13 else "下午" if hour < 18 else "晚上"
    shown = hour if hour <= 12 else hour - 12
    minutes = "" if time.minute == 0 else "半" if time.minute == 30 else f"{time.minute}分"
    return f"{part}{shown}点{minutes}"


def say_cutoff(rules: MealRules, meal_type: str) -> str:
    times = rules.meals[meal_type]
    day = "前一天" if times.cutoff_days_before == 1 else "当天" if times.cutoff_days_before == 0 \
        else f"提前{times.cutoff_days_before}天"
    return f"{day}{say_clock(times.cutoff_time)}"


def say_choice(choice: MealChoice, canteen: Canteen, today: dt.date, home_canteen_id: Optional[int]) -> str:
    """"幸福里明天（11月24日，星期二）的晚饭" — the canteen only when it is not the usual one."""
    place = "" if canteen.id == home_canteen_id else canteen.short_name or canteen.name
    when = say_date(choice.day, today) if choice.day else ""
    return f"{place}{when}的{meal_word(choice.meal_type)}"


PROBLEM_SENTENCES = {
    Problem.PAST: "{when}已经过去了，订不了。",
    Problem.TOO_FAR: "只能订{days}天以内的饭。",
    Problem.CLOSED: "{when}，{canteen}休息，不开门。",
    Problem.NOT_SERVED: "{canteen}不做{meal}。",
    Problem.CUTOFF: "{when}的{meal}已经过了预订时间，要在{cutoff}前订。",
    Problem.DUPLICATE: "{who}已经订过{when}的{meal}了。要改的话，先说“取消{meal}”，再重新订。",
    Problem.TOO_MANY: "一次最多订{most}。",
    Problem.FULL: "{canteen}{when}的{meal}已经订满了。",
    Problem.DELIVERY_FULL: "{canteen}{when}的送餐名额已经满了。",
}


def problem_sentence(problem: Problem, choice: MealChoice, canteen: Canteen, rules: MealRules,
                     today: dt.date, who: str = "您") -> str:
    return PROBLEM_SENTENCES[problem].format(
        when=say_date(choice.day, today) if choice.day else "", meal=meal_word(choice.meal_type),
        canteen=canteen.name, days=rules.days_ahead, most=say_count(rules.max_quantity), who=who,
        cutoff=say_cutoff(rules, choice.meal_type) if choice.meal_type else "")


def price_sentence(price: Quote, who: str = "您") -> str:
    """"您这份免费，另外一份15元，送餐费3元，一共18元。\""""
    parts = []
    if price.subsidy > 0:
        parts.append(f"{who}这份{'免费' if price.own_portion == 0 else '有补贴，' + say_money(price.own_portion)}")
    elif price.quantity == 1:
        parts.append(f"一份{say_money(price.unit_price)}")
    else:
        parts.append(f"每份{say_money(price.unit_price)}")
    others = price.quantity - 1
    if price.subsidy > 0 and others:
        parts.append(f"另外{say_count(others)}每份{say_money(price.unit_price)}")
    if price.delivery_fee:
        parts.append(f"送餐费{say_money(price.delivery_fee)}")
    total = "一共不用花钱" if price.total == 0 else f"一共{say_money(price.total)}"
    return "，".join(parts + [total]) + "。"


def read_back(choice: MealChoice, canteen: Canteen, price: Quote, today: dt.date, who: str) -> str:
    how = "送到家" if choice.delivery else "去食堂吃"
    target = "" if who == "您" else f"给{who}"
    return (f"我念一下：{target}订{canteen.name}{say_date(choice.day, today)}的{meal_word(choice.meal_type)}，"
            f"{say_count(choice.quantity or 1)}，{how}。{price_sentence(price, who)}对吗？")


def booking_line(booking: MealBooking, today: dt.date) -> str:
    """One booking, briefly: "明天（11月24日，星期二）的午饭，两份，送到家\""""
    how = "送到家" if booking.delivery else "去食堂吃"
    return f"{say_date(booking.day, today)}的{meal_word(booking.meal_type)}，{say_count(booking.quantity)}，{how}"
