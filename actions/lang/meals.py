"""Which meal, delivered or eaten at the canteen, and at what time of day, as seniors say it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from actions.lang.numbers import CN_NUMERALS, NUMBER, chinese_number, clean


@dataclass(frozen=True)
class TimeMention:
    """A time of day: the half of the day, and the clock time when one was given."""

    half_day: str  # "上午" or "下午"
    hour: Optional[int] = None  # 0-23
    minute: int = 0


_MEAL_WORDS: Dict[str, Tuple[str, ...]] = {
    "早餐": ("早饭", "早餐", "早点", "早上饭", "早上", "早晨", "清早", "一早", "今早", "明早"),
    # 五饭 and 中五 are how speech recognisers often hear 午饭 and 中午.
    "午餐": ("午饭", "午餐", "中午饭", "中午", "中饭", "晌午饭", "晌午头", "晌午", "五饭", "中五"),
    "晚餐": ("晚饭", "晚餐", "晚上饭", "晚上", "傍晚", "夜饭", "黑夜饭", "今晚", "明晚"),
}
_MEAL_OF = {word: meal for meal, words in _MEAL_WORDS.items() for word in words}
_MEAL = re.compile(
    "(?:" + "|".join(sorted(_MEAL_OF, key=len, reverse=True)) + r")(?!好)"  # "早上好" is a greeting
)
_EARLIER = re.compile(r"早点儿?(?:送|来|到|去|吃|回|睡|走|休息)")  # "早点送" means "earlier"
_NEGATIONS = ("不要", "不吃", "不订", "不用", "不是", "别")

_NOT_DINE_IN = re.compile(
    r"不(?:去|到|上|在|进)食堂|不(?:去|过去|出去|到店)吃|不堂食|不自己去|不想去"
    r"|去不了|走不动|出不了门|不方便(?:去|出门)"
)
_NOT_DELIVER = re.compile(r"(?:不用|不要|不需要|不必|用不着|别|(?<![要送])不)(?:送|上门)")
_DELIVER = re.compile(
    r"送到家里?|送家里?|送(?:餐|饭)?上门|上门送?|送过来|送过去|送来|外送|配送|送到楼下|给我送|送餐|送饭|在家吃|家里吃"
    # "送两份饭", "送份热乎饭来", "饭给我端上来": a meal brought up, in the words around it
    r"|送[^，。！？,.!?]{0,5}饭|饭[^，。！？,.!?]{0,4}(?:送|端|拿)(?:来|过来|上来|上去|到)|端上来|送上来|送上去|下不了楼|送[^，。！？,.!?]{0,4}到家"
)
_DINE_IN = re.compile(r"堂食|(?:去|在|到|上)食堂|自己(?:过)?去|过去吃|去吃|到店吃")

_HALF_DAY: Dict[str, TimeMention] = {
    "上午": TimeMention("上午"), "早上": TimeMention("上午"), "早晨": TimeMention("上午"),
    "清早": TimeMention("上午"), "一早": TimeMention("上午"), "今早": TimeMention("上午"),
    "明早": TimeMention("上午"), "中午": TimeMention("下午", 12), "晌午": TimeMention("下午", 12),
    "下午": TimeMention("下午"), "晚上": TimeMention("下午", 18), "傍晚": TimeMention("下午", 18),
    "今晚": TimeMention("下午", 18), "明晚": TimeMention("下午", 18),
}
_HALF_DAY_WORD = rf"(?:{'|'.join(_HALF_DAY)})(?!好)"
_MORNING = {"上午", "早上", "早晨", "清早", "一早", "今早", "明早"}
_NOON = {"中午", "晌午"}
_CLOCK = re.compile(
    rf"(?P<pre>{_HALF_DAY_WORD})?(?<![周期拜0-9{CN_NUMERALS}])"
    rf"(?:(?P<h>{NUMBER})点钟?(?P<m>半|一刻|三刻|{NUMBER}分?)?|(?P<hh>\d{{1,2}}):(?P<mm>\d{{2}}))"
)
_HALF_DAY_ANYWHERE = re.compile(_HALF_DAY_WORD)
_A_LITTLE = set("多少快慢早晚好稍大小有差些")  # "早一点" means "a little earlier"


def _meal_mentions(text: str) -> List[Tuple[int, str]]:
    hidden = _EARLIER.sub(lambda m: "|" * len(m.group(0)), text)
    return [(m.start(), _MEAL_OF[m.group(0)]) for m in _MEAL.finditer(hidden)]


def parse_meal(text: str) -> Optional[str]:
    """The meal meant ("早餐", "午餐" or "晚餐"); 上午/下午 are times of day, not meals."""
    cleaned = clean(text)
    for start, meal in _meal_mentions(cleaned):
        if not cleaned[:start].endswith(_NEGATIONS):  # "不要早饭，要午饭" means lunch
            return meal
    return None


def parse_delivery(text: str) -> Optional[bool]:
    """True to have the meal delivered home, False to eat at the canteen; negations win."""
    cleaned = clean(text)
    for patterns in (((_NOT_DINE_IN, True), (_NOT_DELIVER, False)), ((_DELIVER, True), (_DINE_IN, False))):
        hits = [(m.start(), value) for pattern, value in patterns for m in [pattern.search(cleaned)] if m]
        if hits:
            return min(hits)[1]
    return None


def _minute(token: Optional[str]) -> int:
    """Minutes after the hour; a bare single digit ("三点两份") is not read as minutes."""
    if not token:
        return 0
    fixed = {"半": 30, "一刻": 15, "三刻": 45}
    if token in fixed:
        return fixed[token]
    value = chinese_number(token.rstrip("分"))
    if value is None or not 0 <= value <= 59:
        return -1
    explicit = token.endswith("分") or token[0] in "零〇0" or value >= 10
    return value if explicit else 0


def _hour(prefix: Optional[str], hour: int) -> int:
    if prefix in _MORNING:
        return hour
    if prefix in _NOON:
        return hour + 12 if 1 <= hour <= 5 else hour
    if prefix is not None:  # afternoon and evening words
        return hour + 12 if hour < 12 else hour
    return hour + 12 if 1 <= hour <= 6 else hour  # nobody orders a meal for 3 a.m.


def _means_a_little(text: str, match: "re.Match[str]") -> bool:
    """Whether "一点" is "a little" ("早一点", "一点儿") rather than one o'clock."""
    if match.group("h") != "一":
        return False
    before = text[match.start("h") - 1: match.start("h")] if match.start("h") else ""
    return before in _A_LITTLE or text[match.end("h") + 1:].startswith(("儿", "点"))


def parse_time(text: str) -> Optional[TimeMention]:
    """A time of day: a clock time ("下午三点", "2:30", "十点一刻") or a half-day word ("上午", "中午")."""
    cleaned = clean(text)
    anywhere = _HALF_DAY_ANYWHERE.search(cleaned)
    for match in _CLOCK.finditer(cleaned):
        if match.group("h") is not None:
            hour, minute = chinese_number(match.group("h")), _minute(match.group("m"))
            if _means_a_little(cleaned, match):
                continue
        else:
            hour, minute = int(match.group("hh")), int(match.group("mm"))
        if hour is None or not 0 <= hour <= 23 or not 0 <= minute <= 59:
            continue
        prefix = match.group("pre") or (anywhere.group(0) if anywhere else None)
        hour = _hour(prefix, hour)
        if hour > 23:
            continue
        return TimeMention("上午" if hour < 12 else "下午", hour, minute)
    return _HALF_DAY[anywhere.group(0)] if anywhere else None
