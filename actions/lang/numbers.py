"""Numbers as seniors say them: Chinese numerals, how many meals or people, ages."""
from __future__ import annotations

import re
from typing import Optional

import cn2an

from bot.kernel.contract import normalize

# Characters that can make up a spoken whole number (俩/仨/幺 are colloquial 2/3/1).
CN_NUMERALS = "零〇一二两俩仨三四五六七八九十百幺"
NUMBER = rf"(?:[0-9]+|[{CN_NUMERALS}]+)"
NOT_AFTER_NUMERAL = rf"(?<![0-9{CN_NUMERALS}])"

_WHITESPACE = re.compile(r"\s+")
_EDGE = "，。！？、；,.!?;~～…"
_ARABIC = re.compile(r"[0-9]+")
_CHINESE = re.compile(rf"[{CN_NUMERALS}]+")
_COLLOQUIAL = str.maketrans({"俩": "两", "仨": "三", "幺": "一"})
_DIGIT_BY_DIGIT = re.compile(r"[零〇一二三四五六七八九幺]+")

# Numbers that belong to a date, a clock time, a price or an address, not to a count.
_NOT_A_COUNT = re.compile(
    r"\d+[-/.:]\d+(?:[-/.]\d+)?"
    r"|(?:周|星期|礼拜)[一二三四五六日天]"
    rf"|{NUMBER}(?:月|号|日|点|天|年|岁|楼|层|栋|幢|单元|门|块|元|毛|斤|次|遍|回|分钟|小时)"
)
_SERVINGS = re.compile(rf"(?<!第){NOT_AFTER_NUMERAL}({NUMBER})份")
_END = r"(?=$|[吧啊呀哈嘛呢就，。！？,.!?])"
_HEADS = re.compile(rf"(?<!第){NOT_AFTER_NUMERAL}({NUMBER})(?:个人|口人|位|人|个{_END}|口{_END})")
_GROUP = re.compile(r"(?:我们|咱们|俺们|我|咱|俺)(俩|仨)|老两口|两口子|老俩口")
_LONE_COLLOQUIAL = re.compile(r"[俩仨]")
_JUST_ME = re.compile(r"(?:就|只有|光|只)(?:我|俺)(?:自己|一人|$|[吃，。！？,.!?])")
_WITH_PARTNER = re.compile(
    r"(?:跟|和|同|带着?|还有|加上?)(?:我们?家|俺家|我|俺)?的?"
    r"(?:老伴儿?|老头子?|老头儿|老太婆|老太太|老婆子?|爱人|老公|媳妇儿?|对象)"
)
_BARE = re.compile(rf"(?:要|就要|订|改成|改为|换成)?({NUMBER})(?:个|份)?[吧啊呀了]?")

_AGE_WORDS = re.compile(rf"{NOT_AFTER_NUMERAL}({NUMBER})多?(?:周岁|岁)")
_AGE_SUBJECT = re.compile(
    rf"(?:我|俺|本人|咱|今年|年纪|岁数|年龄)(?:今年|已经|都|也|快|才|是|有)*"
    rf"({NUMBER})多?(?![0-9{CN_NUMERALS}份个人位口点号月日天块元:])"
)
_AGE_ALREADY = re.compile(rf"{NOT_AFTER_NUMERAL}({NUMBER})多?(?:了|啦|喽)")
_MIN_AGE, _MAX_AGE = 40, 120


def clean(text: Optional[str]) -> str:
    """Normalise like the NLU does, then drop every space so spaced-out ASR output parses alike."""
    return _WHITESPACE.sub("", normalize(text))


def _value(token: str) -> Optional[int]:
    """The value of one numeral token, refusing digit-by-digit readings such as 三两 ("three or two")."""
    if _ARABIC.fullmatch(token):
        return int(token)
    if not _CHINESE.fullmatch(token):
        return None
    if len(token) > 1 and "十" not in token and "百" not in token and not _DIGIT_BY_DIGIT.fullmatch(token):
        return None
    try:
        value = cn2an.cn2an(token.translate(_COLLOQUIAL), "smart")
    except ValueError:
        return None
    return int(value) if float(value).is_integer() else None


def chinese_number(text: str) -> Optional[int]:
    """A whole number in Arabic digits or Chinese numerals ("八十二", "两", "82"), else None."""
    return _value(clean(text).strip(_EDGE))


def _first(pattern: "re.Pattern[str]", text: str) -> Optional[int]:
    for match in pattern.finditer(text):
        value = _value(match.group(1))
        if value is not None and value > 0:
            return value
    return None


def parse_quantity(text: str, bare_number_ok: bool = False) -> Optional[int]:
    """How many meals or people are meant; numbers of dates, times and addresses do not count."""
    cleaned = clean(text)
    counted = _NOT_A_COUNT.sub("|", cleaned)
    for pattern in (_SERVINGS, _HEADS):  # an explicit number of servings wins over a head count
        value = _first(pattern, counted)
        if value is not None:
            return value
    group = _GROUP.search(counted)
    if group:
        return 3 if group.group(1) == "仨" else 2
    lone = _LONE_COLLOQUIAL.search(counted)
    if lone:
        return 3 if lone.group(0) == "仨" else 2
    if _JUST_ME.search(counted):
        return 1
    if _WITH_PARTNER.search(counted):
        return 2
    if bare_number_ok:
        bare = _BARE.fullmatch(cleaned.strip(_EDGE))
        if bare:
            value = _value(bare.group(1))
            return value if value else None
    return None


def parse_age(text: str) -> Optional[int]:
    """An age from "我八十二了", "82岁" or a bare "九十"; implausible ages (outside 40..120) give None."""
    cleaned = clean(text)
    for pattern in (_AGE_WORDS, _AGE_SUBJECT, _AGE_ALREADY):
        for match in pattern.finditer(cleaned):
            value = _value(match.group(1))
            if value is not None and _MIN_AGE <= value <= _MAX_AGE:
                return value
    bare = cleaned.strip(_EDGE)  # a lone number is an age only when it is the whole message
    value = _value(bare)
    return value if value is not None and _MIN_AGE <= value <= _MAX_AGE else None
