"""The emergency safety net finds emergencies in the words seniors and recognisers produce."""
import pytest

from bot.kernel.contract import normalize
from bot.kernel.words.emergency import match_emergency

EMERGENCIES = [
    ("救命", "help"), ("救命啊快来人", "help"), ("就命啊", "help"), ("救 命", "help"),
    ("我摔倒了", "fall"), ("我 摔 倒 了", "fall"), ("我摔到了起不来", "fall"), ("老伴在厕所滑倒了", "fall"),
    ("我爬不起来了", "fall"), ("摔了一跤腿动不了", "fall"),
    ("我老伴晕倒了", "faint"), ("她昏过去了", "faint"), ("叫不醒了", "faint"),
    ("胸口疼得厉害", "chest"), ("胸口闷", "chest"), ("心口痛", "chest"),
    ("喘不上气", "breath"), ("喘 不 上 气", "breath"), ("我透不过气来", "breath"), ("上不来气了", "breath"),
    ("着火了", "fire"), ("厨房起火了", "fire"), ("着 火 了", "fire"),
    ("有煤气味", "gas"), ("闻到一股煤气", "gas"), ("好像漏煤气了", "gas"), ("燃气泄漏", "gas"),
    ("快叫救护车", "ambulance"), ("帮我叫急救", "ambulance"),
    ("打120", "call_120"), ("快打一二零", "call_120"), ("幺二零", "call_120"), ("１２０", "call_120"),
    ("我爸中风了", "stroke"), ("血止不住", "bleeding"), ("他吐血了", "bleeding"),
    ("我不想活了", "self_harm"), ("活着没意思", "self_harm"), ("有人在撬我家门", "intruder"),
    ("家里进小偷了", "intruder"), ("买菜回来迷路了", "lost"), ("我找不到回家的路", "lost"),
    ("我起不了床了", "bedridden"), ("快打120，我电话是13800001111", "call_120"), ("快打一二零一二零", "call_120"),
    ("我怕我活不下去了", "self_harm"), ("别怕，我摔倒了", "fall"),
    ("紧急求助", "help"), ("老伴晕到了", "faint"), ("喊不应了", "faint"), ("叫就护车", "ambulance"),
]

NOT_EMERGENCIES = [
    "明天中午吃什么", "帮我订两份午饭", "煤气费在哪交", "我想约个助浴", "高龄津贴怎么领",
    "给了120元", "我家住120号", "座机 010-66881234 找我", "我电话是13912012345", "电话是幺三八幺二零幺二三四五六",
    "想死你了", "我的手机号是 139 1201 2345", "今天天气怎么样", "我要取消明天的饭", "说慢点", "火车票怎么买",
    "燃气灶这两天咋也打不着火", "灶台点不着火了，找人来修修", "还好没着火",
    "浴室地上老是湿的，我怕滑倒", "担心煤气泄漏，想装个报警器", "扶手是防止摔倒的",
]


@pytest.mark.parametrize("text,kind", EMERGENCIES)
def test_emergency_words_are_found(text: str, kind: str) -> None:
    assert match_emergency(normalize(text)) == kind


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_ordinary_requests_are_not_emergencies(text: str) -> None:
    assert match_emergency(normalize(text)) is None


@pytest.mark.parametrize("text", ["我想下床拿个东西，脚一软就出溜到地上了", "踩着水滑到地上了", "一个跟头栽在地上"])
def test_falls_said_in_everyday_words(text: str) -> None:
    assert match_emergency(normalize(text)) == "fall"
