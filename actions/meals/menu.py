"""Menu questions: which dishes, does it have fish, is anything soft, and what suits this resident."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import Canteen, MenuItem, Resident

# What people ask for → substrings of dish names that answer it.
FOODS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("鱼", ("鱼", "鲈", "鲫")),
    ("虾", ("虾",)),
    ("排骨", ("排骨",)),
    ("牛肉", ("牛肉",)),
    ("鸡蛋", ("蛋",)),
    ("豆腐", ("豆腐",)),
    ("饺子", ("饺子",)),
    ("馄饨", ("馄饨",)),
    ("包子", ("包子",)),
    ("面条", ("面",)),
    ("粥", ("粥",)),
    ("汤", ("汤",)),
    ("青菜", ("青菜", "西兰花", "香菇")),
    ("肉", ("肉", "排骨", "里脊", "牛", "鸡", "猪")),
)
# What people say → the dish tag that answers it.
TAG_WORDS: Tuple[Tuple[str, str], ...] = (
    ("软", "软烂"), ("烂", "软烂"), ("好嚼", "软烂"), ("牙口", "软烂"),
    ("低盐", "低盐"), ("少盐", "低盐"), ("不咸", "低盐"), ("清淡", "低盐"), ("淡一点", "低盐"),
    ("低糖", "低糖"), ("不甜", "低糖"), ("无糖", "低糖"), ("糖尿病", "低糖"), ("血糖", "低糖"),
    ("清真", "清真"), ("回民", "清真"), ("素", "素"),
)
# A resident's dietary note → the tag a dish needs to suit it.
DIET_NEEDS = {"低盐": "低盐", "高血压": "低盐", "糖尿病": "低糖", "低糖": "低糖", "软烂": "软烂",
              "牙口不好": "软烂", "清真": "清真", "素": "素", "吃素": "素"}
MEAL_WORDS = {"早餐": "早饭", "午餐": "午饭", "晚餐": "晚饭"}
MAX_DISHES_SPOKEN = 4


@dataclass(frozen=True)
class MenuQuestion:
    food: Optional[str] = None  # "鱼"
    food_parts: Tuple[str, ...] = ()
    tag: Optional[str] = None  # "软烂"


def menu_question(text: str) -> MenuQuestion:
    """What the person is looking for on the menu, if anything in particular."""
    tag = next((tag for word, tag in TAG_WORDS if word in text), None)
    for food, parts in FOODS:
        if food in text:
            return MenuQuestion(food=food, food_parts=parts, tag=tag)
    return MenuQuestion(tag=tag)


def dishes_for(session: Session, canteen_id: int, day: dt.date, meal_type: str) -> List[MenuItem]:
    return list(session.scalars(select(MenuItem).where(
        MenuItem.canteen_id == canteen_id, MenuItem.day == day, MenuItem.meal_type == meal_type)
        .order_by(MenuItem.id)))


def _tags(item: MenuItem) -> set:
    return {tag for tag in item.tags.split(",") if tag}


def _names(items: Sequence[MenuItem]) -> str:
    return "、".join(item.dish for item in items[:MAX_DISHES_SPOKEN])


def diet_note(resident: Optional[Resident], items: Sequence[MenuItem], who: str = "您") -> str:
    """One sentence on the dishes that do not suit the resident's diet, with what does."""
    if resident is None or not items:
        return ""
    for note in (n for n in resident.dietary_notes.split(",") if n):
        need = DIET_NEEDS.get(note)
        if need is None:
            continue
        unsuitable = [item for item in items if need not in _tags(item)]
        if not unsuitable:
            continue
        suitable = [item for item in items if need in _tags(item)]
        sentence = f"{who}要注意{note}，{_names(unsuitable[:2])}不太合适"
        return sentence + (f"，可以选{_names(suitable[:2])}。" if suitable else "。")
    return ""


def answer(items: Sequence[MenuItem], question: MenuQuestion, when: str, meal_type: str) -> str:
    """The spoken answer: the dishes, or whether what was asked for is there."""
    meal = MEAL_WORDS.get(meal_type, meal_type)
    if question.food:
        found = [item for item in items if any(part in item.dish for part in question.food_parts)]
        if question.tag:
            found = [item for item in found if question.tag in _tags(item)]
        if found:
            return f"有。{when}{meal}有{_names(found)}。"
        return f"{when}{meal}没有{question.food}。有{_names(items)}。"
    if question.tag:
        found = [item for item in items if question.tag in _tags(item)]
        if found:
            return f"{when}{meal}{question.tag}的菜有：{_names(found)}。"
        return f"{when}{meal}没有{question.tag}的菜。有{_names(items)}。"
    return f"{when}{meal}有：{_names(items)}。"


def canteen_named(session: Session, text: str) -> Optional[Canteen]:
    """A canteen the person names ("康乐苑", "幸福食堂"), if any."""
    for canteen in session.scalars(select(Canteen).order_by(Canteen.id)):
        if canteen.name in text or (canteen.short_name and canteen.short_name in text):
            return canteen
    return None
