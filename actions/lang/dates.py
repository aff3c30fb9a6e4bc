"""Dates as seniors say them ("下周三", "后儿个", "5月3号"), resolved against a given today."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from actions.lang.numbers import NOT_AFTER_NUMERAL, NUMBER, chinese_number, clean


@dataclass(frozen=True)
class DateMention:
    """A date found in the text and the words it was read from (e.g. "下周三")."""

    day: dt.date
    surface: str


_WEEKDAY_CHARS = "一二三四五六日天"
_WEEKDAY_NAMES = "一二三四五六日"
_WEEK_WORD = r"(?:周|星期|礼拜)"
_WEEK_PREFIX = r"(?:(下下|(?<![一楼底乡地线])下|(?<![早晚马楼])上|这|本)个?)?"  # not "楼下", "早上"
_WEEK_OFFSET = {None: None, "这": 0, "本": 0, "下": 1, "下下": 2, "上": -1}
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:[0-3]?[0-9]|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_PLACE = r"楼|门|房|室|床|线|窗|栋|幢|单元|院|车|桌|座|柜|台|铺|店|码|弄|巷|街|路|口|餐|顿"
_DAY_END = rf"(?![0-9零〇一二三四五六七八九十]|[号日]?(?:{_PLACE}))"
_RELATIVE_DAYS = {
    "大后天": 3, "大前天": -3,
    "今儿个": 0, "明儿个": 1, "后儿个": 2, "昨儿个": -1, "前儿个": -2,
    "今天": 0, "今儿": 0, "今日": 0, "明天": 1, "明儿": 1, "明日": 1,
    "后天": 2, "后儿": 2, "昨天": -1, "昨儿": -1, "昨日": -1, "前天": -2, "前儿": -2,
}
_RELATIVE_ALT = "|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True))
_HALF_YEAR = 183

Resolver = Callable[["re.Match[str]", dt.date], Optional[dt.date]]


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _number(token: str) -> int:
    value = chinese_number(token)
    return -1 if value is None else value


def _nearest_year(month: int, day: int, today: dt.date) -> Optional[dt.date]:
    """Month/day in the year that puts it within half a year of today (closest wins)."""
    best: Optional[dt.date] = None
    for year in (today.year - 1, today.year, today.year + 1):
        candidate = _safe_date(year, month, day)
        if candidate is None or not -_HALF_YEAR < (candidate - today).days <= _HALF_YEAR:
            continue
        if best is None or abs((candidate - today).days) < abs((best - today).days):
            best = candidate
    return best


def _next_month(year: int, month: int) -> Tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _day_of_month(day: int, today: dt.date) -> Optional[dt.date]:
    """Day D this month if it is not over a week ago, else the next month that has a day D."""
    if not 1 <= day <= 31:
        return None
    candidate = _safe_date(today.year, today.month, day)
    if candidate is not None and (candidate - today).days >= -7:
        return candidate
    year, month = today.year, today.month
    for _ in range(12):
        year, month = _next_month(year, month)
        candidate = _safe_date(year, month, day)
        if candidate is not None:
            return candidate
    return None


def _monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def _weekday(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    offset = _WEEK_OFFSET[match.group(1)]
    target = _WEEKDAY_CHARS.index(match.group(2))
    target = min(target, 6)  # 日 and 天 both mean Sunday
    if offset is None:  # a bare weekday is the next one, today included
        return today + dt.timedelta(days=(target - today.weekday()) % 7)
    return _monday(today) + dt.timedelta(days=7 * offset + target)


def _weekend(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    offset = _WEEK_OFFSET[match.group(1)] or 0
    if offset == 0 and today.weekday() == 6:
        return today  # on Sunday "this weekend" is still today
    return _monday(today) + dt.timedelta(days=7 * offset + 5)


def _relative(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    return today + dt.timedelta(days=_RELATIVE_DAYS[match.group(1)])


def _days_later(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    days = _number(match.group(1) or match.group(2))
    if not 0 <= days <= 366:
        return None
    return today + dt.timedelta(days=-days if match.group(3) else days)


def _full_date(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _month_day(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    month, day = _number(match.group(1)), _number(match.group(2))
    if not 1 <= month <= 12:
        return None
    return _nearest_year(month, day, today)


def _in_named_month(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    year, month = today.year, today.month
    if match.group(1) == "下":
        year, month = _next_month(year, month)
    return _safe_date(year, month, _number(match.group(2)))


def _day_only(match: "re.Match[str]", today: dt.date) -> Optional[dt.date]:
    return _day_of_month(_number(match.group(1)), today)


_PATTERNS: List[Tuple["re.Pattern[str]", Resolver]] = [
    (re.compile(r"(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?!\d)"), _full_date),
    (re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])[/.]([0-3]?\d)(?![\d.%]|元|块|岁|斤|分|个|份)"), _month_day),
    (re.compile(rf"{NOT_AFTER_NUMERAL}({_MONTH})月({_DAY})[号日]?{_DAY_END}"), _month_day),
    (re.compile(rf"(下|这|本)个?月({_DAY})[号日]{_DAY_END}"), _in_named_month),
    (re.compile(rf"{NOT_AFTER_NUMERAL}({_DAY})[号日]{_DAY_END}"), _day_only),
    (re.compile(rf"(?<![以之然往最随落此从提眼跟面目])({_RELATIVE_ALT})(?![子女媳孙])"), _relative),
    (re.compile(rf"过({NUMBER})天|{NOT_AFTER_NUMERAL}({NUMBER})天(?:以后|之后|后|(以前|之前|前))"), _days_later),
    (re.compile(rf"{_WEEK_PREFIX}{_WEEK_WORD}末"), _weekend),
    (re.compile(rf"{_WEEK_PREFIX}{_WEEK_WORD}([{_WEEKDAY_CHARS}])(?![次回遍])"), _weekday),
]


def parse_date(text: str, today: dt.date) -> Optional[DateMention]:
    """The first date mentioned, past ones included so the caller can say they are over."""
    cleaned = clean(text)
    found: List[Tuple[int, int, "re.Match[str]", Resolver]] = []
    for pattern, resolver in _PATTERNS:
        match = pattern.search(cleaned)
        if match:
            found.append((match.start(), -len(match.group(0)), match, resolver))
    if not found:
        return None
    _, _, match, resolver = min(found, key=lambda item: item[:2])
    day = resolver(match, today)
    return DateMention(day=day, surface=match.group(0)) if day else None


def weekday_name(day: dt.date) -> str:
    """The weekday as "星期一".."星期日", the form read out to residents."""
    return "星期" + _WEEKDAY_NAMES[day.weekday()]
