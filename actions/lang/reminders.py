"""What a reminder request says: what to remind of, every day or once, on which day and at what time.

"每晚睡前提醒我吃药" → every day at 21:00 (bedtime); "下周二上午提醒我去医院复查" → once, next Tuesday at
9:00; "饭后提醒我吃药" → a time is still needed (meals are at different hours in every home).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional, Tuple

from actions.lang.dates import parse_date
from actions.lang.meals import parse_time
from actions.lang.numbers import clean

_DAILY = re.compile(r"每天|每日|天天|每晚|每早|每个?晚上|每个?早上|每个?中午|每顿|日日")
# Times people give as moments of the day; bedtime and getting up have a usual hour, meals do not.
_USUAL = (
    (re.compile(r"睡前|睡觉前|睡觉之前|临睡"), (21, 0), "睡前"),
    (re.compile(r"起床|起来以后|起来后|一早起来"), (7, 0), "起床后"),
)
_MEAL_MOMENT = re.compile(r"饭后|饭前|吃完饭|吃饭前|吃饭后|饭点|餐后|餐前|吃了饭")
_TOMORROW_PART = re.compile(r"明早|明晚|明儿早上|明儿晚上")
_HALF_DAY_HOUR = {"上午": (9, 0), "下午": (15, 0)}
_WHO = r"(?:我们家老太太|我们家老爷子|我妈妈|我爸爸|我母亲|我父亲|我奶奶|我爷爷|我妈|我爸|咱妈|咱爸|老人家|老人|妈妈|爸爸|她|他|我|俺|咱)"
_ASK = re.compile(rf"(?:麻烦|请|帮我|帮忙|你)?(?:到时候)?(?:提醒|叫|喊|告诉){_WHO}?(?:一下|一声)?")
_FORGET = re.compile(r"别忘了|不要忘了|记得|别忘记")
_TIME_WORDS = re.compile(
    r"每天|每日|天天|每晚|每早|每个?晚上|每个?早上|每个?中午|每顿|日日|睡前|睡觉前|睡觉之前|临睡|"
    r"起床后?|饭后|饭前|吃完饭|吃饭前|吃饭后|餐后|餐前|早上|上午|中午|下午|晚上|傍晚|今晚|明早|明晚|"
    r"[零〇一二两三四五六七八九十\d]+点(?:钟|半|一刻|三刻|[零〇一二三四五六七八九十\d]+分?)?|\d{1,2}:\d{2}|的时候|按时|准时"
)
_FILLER = re.compile(r"^[，。,.!！?？、\s的要得]*|[，。,.!！?？、\s啊呀吧哈嘛哦呢了的]*$")
_ALREADY_FILLER = ("好不好", "行不行", "中不中", "可以吗", "行吗", "好吗", "成不", "要得不")


@dataclass(frozen=True)
class ReminderWords:
    what: str  # "吃药"; empty when not said
    daily: bool
    day: Optional[dt.date]  # a one-off reminder's day (None: today or tomorrow, by the time)
    hour: Optional[int]
    minute: int = 0
    moment: str = ""  # "睡前" when the time came from a moment of the day
    needs_time: str = ""  # "饭后" when a moment was said whose hour only the resident knows


_SET = re.compile(r"(?:设|定|弄|加|订)(?:个|一个|一下)?(?:(?=提醒|闹钟)|(?=[^，。]{1,8}的(?:提醒|闹钟)))")
_THE_REMINDER = re.compile(r"的?(?:提醒|闹钟)$")


# What people are reminded of, found anywhere in a long sentence when the words around 提醒 say nothing.
_TASK = re.compile(r"吃[^，。,.!！?？]{0,4}药|[量测][^，。,.!！?？]{0,2}(?:血压|血糖)|滴眼药水?|打胰岛素|去医院[^，。,.!！?？]{0,6}"
                   r"|复查|复诊|拿药|带医保卡|喝水")


def _task(text: str) -> str:
    found = _TASK.search(text)
    return found.group(0) if found else ""


def _what(text: str, date_surface: str) -> str:
    what = _said_what(text, date_surface)
    if what and len(what) <= 7:
        return what
    task = _task(text)
    if task:
        return task
    return "吃药" if "药" in what else what[:10]


def _said_what(text: str, date_surface: str) -> str:
    rest = text.replace(date_surface, "") if date_surface else text
    rest = _SET.sub("", rest)
    rest = re.sub(r"(?:个|一个)?闹钟", "提醒", rest)
    for pattern in (_ASK, _FORGET):
        match = pattern.search(rest)
        if match:
            after, before = rest[match.end():], rest[: match.start()]
            rest = after if _TIME_WORDS.sub("", after).strip("，。,.!！?？、 的") else before
            break
    for word in _ALREADY_FILLER:
        rest = rest.replace(word, "")
    rest = _TIME_WORDS.sub("", rest)
    rest = re.sub(r"^(?:小暖|你|帮我|麻烦|请)+", "", _FILLER.sub("", rest))
    return _THE_REMINDER.sub("", _FILLER.sub("", rest))[:20]


def parse_reminder(text: str, today: dt.date) -> ReminderWords:
    """Everything a reminder request says; the caller asks for what is missing."""
    cleaned = clean(text)
    daily = bool(_DAILY.search(cleaned))
    mention = None if daily else parse_date(cleaned, today)
    tomorrow = None if daily or mention else _TOMORROW_PART.search(cleaned)
    hour: Optional[int] = None
    minute, moment, needs = 0, "", ""
    said = parse_time(cleaned)
    if said is not None and said.hour is not None and re.search(r"点|:", cleaned):
        hour, minute = said.hour, said.minute
    for pattern, (usual_hour, usual_minute), name in _USUAL:
        if pattern.search(cleaned):
            moment = name
            if hour is None:
                hour, minute = usual_hour, usual_minute
    if hour is None and _MEAL_MOMENT.search(cleaned):
        needs = _MEAL_MOMENT.search(cleaned).group(0)
    elif hour is None and said is not None:
        hour, minute = (said.hour, said.minute) if said.hour is not None else _HALF_DAY_HOUR[said.half_day]
    return ReminderWords(what=_what(cleaned, mention.surface if mention else ""), daily=daily,
                         day=mention.day if mention else (today + dt.timedelta(days=1) if tomorrow else None),
                         hour=hour, minute=minute, moment=moment,
                         needs_time=needs)


def parse_clock(text: str) -> Optional[Tuple[int, int]]:
    """Only a time of day ("八点半", "晚上九点", "中午"), for the answer to "几点提醒您？"."""
    words = parse_reminder(text, dt.date(2000, 1, 1))
    return None if words.hour is None else (words.hour, words.minute)


def say_clock(hour: int, minute: int) -> str:
    """"晚上九点", "上午八点半", "中午十二点", "下午三点十分" as read back to a resident."""
    if hour < 5:
        part = "凌晨"
    elif hour < 12:
        part = "早上" if hour < 9 else "上午"
    elif hour < 13:
        part = "中午"
    elif hour < 18:
        part = "下午"
    else:
        part = "晚上"
    shown = hour if hour <= 12 else hour - 12
    spoken = _CN_HOURS[shown]
    if minute == 0:
        return f"{part}{spoken}点"
    if minute == 30:
        return f"{part}{spoken}点半"
    return f"{part}{spoken}点{_minutes(minute)}分"


def _minutes(n: int) -> str:
    """5 → "零五", 15 → "十五", 40 → "四十": minutes as a clock is read."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return "零" + digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


_CN_HOURS = {0: "零", 1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
             11: "十一", 12: "十二"}
