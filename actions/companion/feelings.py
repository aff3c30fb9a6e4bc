"""What a person's feelings are about, and the short, warm answer with a real offer for each.

Loneliness, grief, worry and frustration are not requests, and the wrong answer to them (a list of
bookings, a link code) is worse than none. The answer names the feeling in a few plain words, then
offers what the community really has: a companion visit (陪聊), a call from the family, a person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Dict, List

from bot.kernel.contract import button_payload


class Feeling(str, Enum):
    GRIEF = "grief"
    LONELY = "lonely"
    WORRY = "worry"
    FRUSTRATED = "frustrated"
    SELF_DOUBT = "self_doubt"
    UNWELL = "unwell"
    LOW = "low"


_CUES = [
    (Feeling.GRIEF, re.compile(r"(老伴|老头子?|老太婆?|老婆子|爱人|他|她|老伴儿).{0,6}(走了|去世|过世|不在了|没了|离开)"
                               r"|想(他|她|老伴)|掉眼泪|哭|守寡|一个人过日子|(走了|去世|过世)(以后|之后|两年|几年|快)")),
    # About oneself, not the machine: "我是不是老糊涂了", "净给孩子添麻烦".
    (Feeling.SELF_DOUBT, re.compile(r"老糊涂|糊涂了|没用了|不中用|拖累|添麻烦|成了累赘|是个累赘|老废物|白活")),
    (Feeling.FRUSTRATED, re.compile(r"记不住|学不会|太难|难用|不会用|听不懂|弄不明白|搞不懂|头疼|烦死|气死|生气|窝火|闹心|"
                                    r"转不过来")),
    # The body, not the mind: pain, a cold, no sleep for days ("这俩礼拜腿疼得厉害，晚上睡不着"). Danger words
    # (胸口疼, 摔倒) never get here: the safety net takes them to the emergency conversation first.
    (Feeling.UNWELL, re.compile(r"(腿|腰|胳膊|膝盖|关节|身上|浑身|肚子|牙|胃|脚|背)[^，。！？]{0,3}(疼|痛|酸)|疼得|痛得|"
                                r"生病|病了|感冒|咳嗽|发烧|头晕|(?<!心里)不舒服|睡不着|睡不好|失眠")),
    (Feeling.WORRY, re.compile(r"不踏实|担心|惦记|放心不下|揪心|心慌慌|心里没底|发愁|愁得|不好意思")),
    (Feeling.LONELY, re.compile(r"一个人|冷清|空落落|空荡荡|没人(说话|陪|理|管)|说话的人|闷得慌|闷|孤单|孤独|寂寞|"
                                r"没意思|熟人|人声|唠|聊|都不在家|不回来|没人来")),
]


def feeling_of(text: str) -> Feeling:
    for feeling, cue in _CUES:
        if cue.search(text or ""):
            return feeling
    return Feeling.LOW


@dataclass(frozen=True)
class Offer:
    title: str
    payload: str


COMPANION = Offer("约人来陪我聊聊", button_payload("book_service", service_type="陪聊"))
FAMILY_CALL = Offer("让家人给我打电话", button_payload("ask_family_call"))
PERSON = Offer("找工作人员", button_payload("human_handoff"))
TO_HOSPITAL = Offer("约人陪我去医院", button_payload("book_service", service_type="助医"))

# First the feeling in plain words, then the offer. At most two short sentences before the choices.
FIRST: Dict[Feeling, str] = {
    Feeling.GRIEF: "老伴走了，心里难受是自然的。您想说说，我在听；也可以请人上门陪您聊聊。",
    Feeling.LONELY: "一个人在家，是会觉得冷清。我可以请志愿者上门陪您聊聊天，也可以让家人给您打个电话。",
    Feeling.WORRY: "心里惦记着，就不踏实，这很正常。我可以让家人给您回个电话，您也可以跟我说说。",
    Feeling.FRUSTRATED: "别着急，慢慢来，是我说得不够清楚。您一次说一件事就行，也可以找工作人员帮您。",
    Feeling.UNWELL: "身上不舒服，真是遭罪，别硬扛着。我可以约人陪您去医院看看，也可以让家人给您打个电话。",
    Feeling.SELF_DOUBT: "您别这么想。上了岁数忘点事、要人搭把手，都很正常，孩子们也惦记您。心里有话就跟我说说；也可以请人来陪您聊聊。",
    Feeling.LOW: "听起来您心里不太舒服。我在听，您慢慢说；要不要请人来陪您聊聊？",
}
# When the person goes on about the same feeling: no second lecture, the offer once more, briefly.
AGAIN: Dict[Feeling, str] = {
    Feeling.GRIEF: "嗯，我在听。想他的时候就说出来。想找人说说话，我就请志愿者来陪您聊聊。",
    Feeling.LONELY: "嗯，我在听。想找人说说话，我就请志愿者上门陪您聊聊，社区也常有活动。",
    Feeling.WORRY: "嗯，我明白。要不我让家人给您回个电话，听听声音就放心了。",
    Feeling.FRUSTRATED: "没关系，谁刚开始都这样。说慢一点也行，我等着您。也可以找工作人员。",
    Feeling.UNWELL: "嗯，我在听。疼得厉害就别拖着，我约人陪您去医院看看，好吗？",
    Feeling.SELF_DOUBT: "您一点也不添乱，这么大岁数还把日子过得好好的。想找人说说话，我就请志愿者来陪您聊聊。",
    Feeling.LOW: "嗯，我在听。想找人说说话，我就请志愿者来陪您聊聊。",
}


def offers_for(feeling: Feeling, has_family: bool) -> List[Offer]:
    """At most three choices, the likeliest first."""
    if feeling is Feeling.FRUSTRATED:
        chosen = [PERSON, COMPANION]
    elif feeling is Feeling.UNWELL:
        chosen = [TO_HOSPITAL, FAMILY_CALL, PERSON]
    elif feeling is Feeling.WORRY:
        chosen = [FAMILY_CALL, COMPANION, PERSON]
    else:
        chosen = [COMPANION, FAMILY_CALL, PERSON]
    return [o for o in chosen if has_family or o is not FAMILY_CALL][:3]


def comfort_text(feeling: Feeling, again: bool, has_family: bool) -> str:
    text = (AGAIN if again else FIRST)[feeling]
    if not has_family and feeling is Feeling.UNWELL:
        return text.replace("也可以让家人给您打个电话", "也可以请社区工作人员来看看")
    if not has_family:
        text = text.replace("也可以让家人给您打个电话", "社区也常有活动").replace(
            "我可以让家人给您回个电话，您也可以跟我说说", "您可以跟我说说，也可以请人来陪您聊聊").replace(
            "要不我让家人给您回个电话，听听声音就放心了", "要不请人来陪您聊聊，说说话心里就松快了")
    return text
