"""Words that always mean an emergency, whatever a classifier thinks.

Patterns run on normalised text (no spaces between Chinese characters) and
include the misrecognitions and homophones a speech recogniser produces.
"""
from __future__ import annotations

import re
from typing import Optional

_NOT_AMOUNT = r"(?![\d元块岁斤号米分个份])"

EMERGENCY_PATTERNS: dict[str, re.Pattern] = {
    name: re.compile(pattern)
    for name, pattern in {
        "help": r"救命|就命|救救我|快来人|来人啊|快救|求救|紧急求助",
        "fall": r"摔倒|摔到了|摔到地|摔了一跤|摔了一下|摔着了|跌倒|跌了一跤|滑倒|摔地上|倒在地上|起不来了|爬不起来|"
                r"(出溜|溜|滑|栽|跌|摔)(到|在)?地(上|下)",
        "faint": r"晕倒|晕到了|昏倒|晕过去|昏过去|晕了过去|叫不醒|喊不应|不省人事|昏迷|没气了|抽搐",
        "chest": r"胸口(疼|痛|闷|难受)|心口(疼|痛)|胸(疼|痛)得|心脏(疼|痛|病犯|病发)|心绞痛",
        "breath": r"喘不上气|喘不过气|透不过气|上不来气|呼吸困难|憋气憋得|憋得慌喘",
        "fire": r"(?<![不没])着火|失火|起火|火灾|烧起来了|冒烟了",  # "燃气灶打不着火" is a repair
        "gas": r"(煤气|燃气|天然气)(味|泄漏|泄露|漏了|漏气|中毒)|(漏|闻到|一股)了?(煤气|燃气|天然气)",
        "ambulance": r"救护车|就护车|急救车|叫急救|打急救",
        "call_120": rf"(?<![\d])(120|幺二零|一二零|妖二零){_NOT_AMOUNT}",
        "stroke": r"中风|嘴歪了|半边身子动不了|说不出话了",
        "bleeding": r"流血不止|血止不住|大出血|好多血|吐血",
        "self_harm": r"不想活|活不下去|活着没意思|活着没劲|自杀|轻生|寻短见|想寻死|了结自己|跳楼|喝农药|吃安眠药",
        "intruder": r"撬(我家|我的)?(门|锁)|有人(闯|砸门|撬)|闯进来|入室|家里进(了)?(贼|小偷|人)|有(贼|小偷)",
        "lost": r"迷路|找不(到|着)(回)?家|回不了家|不知道(这是|我在)哪|走丢了|认不得路|找不(到|着)路",
        "bedridden": r"起不了床|下不了床|躺着起不来|身上没劲起不来",
    }.items()
}

# A run of digits, written or spoken, as phone numbers are said: "010-66881234", "幺三八 幺二零…".
_DIGIT = r"[0-9零〇一二三四五六七八九幺两]"
_PHONE_RUN = re.compile(rf"{_DIGIT}(?:[-\s]?{_DIGIT}){{5,}}")
_ONLY_120 = re.compile(r"^(?:(?:120|幺二零|一二零|妖二零)[-\s]?)+$")


def without_phone_numbers(text: str) -> str:
    """The text with phone numbers blanked, so "座机010-66881234" or "电话是…120…" is no call for help.

    Only runs of six or more digits are blanked: "120" alone, "打120", "快打一二零" stay.
    """
    def blank(match: re.Match) -> str:
        run = match.group(0)
        return run if _ONLY_120.match(run) else "#"  # "120120" shouted twice is still a call for help
    return _PHONE_RUN.sub(blank, text)


# A danger feared or guarded against, not happening: "我怕滑倒", "担心煤气泄漏", "防止摔倒". (Never for words of
# self-harm: "我怕我活不下去了" is heard.)
_FEARED = re.compile(r"(怕|担心|防止|防|免得|小心|容易|生怕|别|以防)[^，。！？,.!?]{0,2}$")
_ALWAYS_HEARD = frozenset({"self_harm", "help", "call_120", "ambulance"})


def match_emergency(text: str) -> Optional[str]:
    """The name of the first emergency pattern found in normalised text, or None."""
    text = without_phone_numbers(text)
    for name, pattern in EMERGENCY_PATTERNS.items():
        for found in pattern.finditer(text):
            if name in _ALWAYS_HEARD or not _FEARED.search(text[:found.start()]):
                return name
    return None


# Danger told about, not happening to the speaker: news, a hypothetical, a joke or game, the past,
# someone else's trouble, a rumour in a group chat. The net routes these to a check ("您自己没事吧？")
# instead of the alarm; anything troubling in the answer raises the alert (actions/safety/dialogue.py).
_REPORTED = re.compile(
    r"听说|听人说|据说|新闻|电视(上|里)|报道|报纸|广播|视频里|网上|抖音|群里|朋友圈|有人说|"
    r"如果|要是|假如|万一|假设|怎么办|该咋办|怎么处理|"
    r"开玩笑|闹着玩|说着玩|逗你|骗你|游戏|玩呢|在玩|演戏|演习|练习|测试|试试|试一下|"
    r"昨天|前天|前几天|前些日子|上周|上个月|去年|前年|以前|那年|上次|摔过|出院|(他|她|邻居|隔壁|别人|人家)(家)?(的)?(老人|老太太|老头)?.*(住院了|出院)")
# Words that make it happen now, whatever else is said: these are never only told about.
_URGENT = re.compile(r"救命|快来|快叫|快打|快救|马上|赶紧|来人|现在(?!(已经|都)?(出院|好了|没事|好多了|好些了))|正在|起不来|动不了|不行了")
# A child's game or a quarrel in which someone else shouts 救命: the cry is reported, not the speaker's.
_PLAY = re.compile(r"(孙子|孙女|外孙|小孩|孩子|娃|小家伙).{0,14}(喊|嚷|叫|闹).{0,6}救命|别当真|当不得真|"
                   r"(玩游戏|打游戏|闹着玩|写作业).{0,14}救命")
_SPEAKER_HURT = re.compile(r"我(摔|倒|疼|痛|不行|动不了|起不来)|快来")


def is_reported(text: Optional[str]) -> bool:
    """News, a hypothetical, a joke or a game, with nothing urgent said: ask before alerting.

    Works on raw or normalised text (it normalises nothing itself beyond removing spaces).
    """
    cleaned = re.sub(r"\s+", "", text or "")
    if _PLAY.search(cleaned) and not _SPEAKER_HURT.search(cleaned):
        return True
    return bool(_REPORTED.search(cleaned)) and not _URGENT.search(cleaned)
