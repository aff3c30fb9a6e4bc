"""Reading a resident's words during an emergency: which danger, whether it is real, taken back or calm.

The NLU safety net (bot/kernel/words/emergency.py) decides *that* a message is an
emergency; these patterns decide *which* one and how the dialogue goes on. They
never stop an alert on their own: at worst they make the assistant ask first.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.kernel.contract import normalize
from bot.kernel.words.emergency import is_reported as _net_is_reported
from bot.kernel.words.emergency import without_phone_numbers

# Most dangerous first: the first kind found names the alert.
KIND_PATTERNS: dict[str, re.Pattern] = {
    name: re.compile(pattern)
    for name, pattern in {
        "self_harm": r"不想活|活不下去|活着没意思|活着没劲|自杀|轻生|寻短见|寻死|了结自己|跳楼|喝农药|吃安眠药|想死(?!你|我了)",
        "fire": r"着火|失火|起火|火灾|烧起来|烧着了|烧着啦|冒烟|冒黑烟|浓烟|火苗|119|幺幺九",
        "gas": r"煤气|燃气|天然气|液化气|臭鸡蛋味|漏气",
        "intruder": r"撬|闯进|砸门|入室|贼|小偷|陌生人.*(进|敲)|有人.*(门口|进屋|翻窗)|110|幺幺零",
        "lost": r"迷路|找不(到|着)(回)?家|回不了家|不知道(这是|我在)哪|走丢|认不得路|找不(到|着)路|不认识路",
        "medical": (r"胸口|心口|心脏|心绞痛|喘不|透不过气|上不来气|呼吸|中风|嘴歪|说不出话|半边|晕|昏|叫不醒|喊不应|"
                    r"抽搐|抽风|吐血|血止不住|流血|出血|没气|心慌|冷汗|噎住|烫|救护车|急救|120|幺二零|一二零|"
                    r"起不了床|下不了床|没劲|发麻|头疼|肚子疼|难受"),
        "fall": r"摔|跌|滑倒|倒在地|倒地|起不来|爬不起来|掉床",
    }.items()
}

_RETRACT = re.compile(r"没事了|我没事|没有事|说着玩|开玩笑|闹着玩|按错|说错了|搞错了|弄错了|误会|不用来了|不用过来|"
                      r"不用了|(孙子|孙女|小孩|孩子|外孙).*(玩|闹)|是在玩|玩游戏")
_ALL_RIGHT = re.compile(r"没事|没有|不是我|我很好|挺好|好着|好好的|都好|平安|放心|不用|没问题|是别人|是邻居|是新闻|"
                        r"电视上|问问|随便问|我好|^(嗯|对|是|是的|好|好的)[。！!]?$")
_HEARD_FEAR = re.compile(r"(听着|看着|听得|看得|想想|想起来)(都|就|怪|挺|真)?(害怕|怕|吓人|心慌)|"
                         r"吓(我|了我|得我)?一(大)?跳|替(他|她|人家)(揪心|担心|害怕)")
_TROUBLE = re.compile(r"疼|痛|难受|不舒服|不行|动不了|起不来|血|晕|快|救|帮|怕|来人|有事|不好|糟|哎哟|哎呀|呜")
_SETTLED = re.compile(r"^(好|好的|好吧|知道了|明白了|谢谢|谢谢你|多谢|行|嗯|嗯嗯|好嘞|辛苦了)[啊呀了的。！!]*$")
_YES = re.compile(r"^(对|是|是的|对的|嗯|没事|没事了|真的|真没事|不用|不用了|不用来了)[啊呀了的。！!]*$|^(对|是的|没事)[,，]")


def _clean(text: Optional[str]) -> str:
    return normalize(text or "")


def kind_of(text: Optional[str]) -> Optional[str]:
    """The danger these words name (None when they name none); a phone or ID number names none."""
    cleaned = without_phone_numbers(_clean(text))
    for name, pattern in KIND_PATTERNS.items():
        if pattern.search(cleaned):
            return name
    return None


def is_reported(text: Optional[str]) -> bool:
    """News, a hypothetical, a joke or a game, with nothing urgent said: ask before alerting (the net's rule)."""
    return _net_is_reported(_clean(text))


def is_retraction(text: Optional[str]) -> bool:
    cleaned = _clean(text)
    return bool(_RETRACT.search(cleaned)) and not re.search(r"疼|痛|血|救命|快来|不行了|动不了", cleaned)


def sounds_all_right(text: Optional[str]) -> bool:
    """An answer to "您自己没事吧？" that says they are fine, with no sign of trouble in it."""
    cleaned = _clean(text)
    # Fear of what was heard is a feeling, not trouble: "我家好好的，我就是听着害怕".
    trouble = _HEARD_FEAR.sub("", cleaned)
    if _TROUBLE.search(trouble) and not re.search(r"没事|不疼|不痛|不用", cleaned):
        return False
    return bool(_ALL_RIGHT.search(cleaned))


def is_settled(text: Optional[str]) -> bool:
    """"好的", "知道了", "谢谢": the person has heard and has nothing to add."""
    return bool(_SETTLED.match(_clean(text)))


def confirms(text: Optional[str]) -> bool:
    """A yes to "您是说没事了，不用人来了，对吗？"."""
    cleaned = _clean(text)
    return bool(_YES.search(cleaned)) and not _TROUBLE.search(re.sub(r"没事|不用", "", cleaned))


def has_phone_number(text: Optional[str]) -> bool:
    """The words carry a phone number (the net blanks those before it looks for emergency words)."""
    cleaned = _clean(text)
    return without_phone_numbers(cleaned) != cleaned


_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def has_no_words(text: Optional[str]) -> bool:
    """No Chinese words at all ("*0", "12"): a classifier's guess of danger here is only a guess."""
    return not _CHINESE.search(_clean(text))


_INTRODUCTION = re.compile(r"^(我叫|我是|我姓|俺叫|俺是|名字叫|我的名字)|手机|电话|尾号|号码")
_PLACE_WORDS = re.compile(r"在|路|街|巷|胡同|店|门口|小区|楼|旁边|附近|对面|公园|超市|市场|医院|车站|站|桥|广场|学校|银行|家")


def is_not_a_place(text: Optional[str]) -> bool:
    """"我叫赵福海", "手机号后四位9753": who they are, not where (the place is asked again)."""
    cleaned = _clean(text)
    return bool(_INTRODUCTION.search(cleaned)) and not _PLACE_WORDS.search(cleaned)
