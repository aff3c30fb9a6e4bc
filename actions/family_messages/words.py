"""What the family messages say, in one place (docs/features.md quotes these)."""
from __future__ import annotations

import re
from typing import Optional

LEFT = "好的，记下了。{name}在家的时候，小暖会把您的话说给{pronoun}听：“{text}”"
ASK_WORDS = "好的。要跟{name}说什么呢？"
ONLY_FAMILY = "留言是家人在手机上给老人留的话。您要跟家人说话，就说“跟我女儿说……”。"
PLAY_ONE = "{title}，{who}给您留了话：“{text}”。"
PLAY_HINT = "要回话，就说“跟{pronoun}说……”；想再听，就说“再听一遍”。"
NOTHING = "现在没有家人的留言。"
REPLY_ASK = "好的。要跟{who}说什么呢？"
REPLY_SENT = "好的，我把您的话发给{who}了：“{text}”"
NO_FAMILY = "您还没有绑定家人，发不了话。可以说“生成家属绑定码”，让孩子绑定。"
FAMILY_REPLY = "【{name}回话】{name}说：“{text}”"

_RELATION_PRONOUN = {"女儿": "她", "儿媳": "她", "孙女": "她", "外孙女": "她", "儿子": "他", "女婿": "他", "孙子": "他",
                     "外孙": "他"}
# "给妈妈留言：周六我们回来吃饭", "跟我妈说一声，周六回来吃饭", "告诉我爸明天降温"
_LEAVE = re.compile(r"^(?:请|麻烦|帮我)?(?:给|跟|和|告诉|转告)?(?:我们家|我)?(?:老妈|老爸|妈妈|爸爸|母亲|父亲|奶奶|爷爷|姥姥|姥爷|外婆|外公|"
                    r"老人家|老人|妈|爸|她|他)?(?:留个?言|留个话|留句话|带个话|带句话|捎个话|说一声|说一下|说声|讲一声|说|讲)?"
                    r"[：:，,\s]*")
# "跟她说好的，我包饺子", "告诉我女儿我知道了", "你跟他讲我挺好的"
_REPLY = re.compile(r"^(?:你|小暖)?(?:帮我)?(?:给?回个?话|(?:跟|和|给|告诉)(?:我)?(?:女儿|儿子|闺女|孩子|儿媳|女婿|孙子|孙女|她|他|家里人|家人)?"
                    r"(?:回个?话|回话|说一声|说一下|说声|讲一声|说|讲|带个话)?)[：:，,\s]*")


def pronoun_for(relation: str) -> str:
    return _RELATION_PRONOUN.get(relation, "他")


def resident_pronoun(gender: str) -> str:
    return "她" if gender == "女" else "他"


def message_of(text: str) -> str:
    """The words to pass on from a relative's request ("给妈妈留言：周六我们回来吃饭" → "周六我们回来吃饭")."""
    return chinese_punctuation(_LEAVE.sub("", text.strip(), count=1).strip("，,。 "))


def reply_of(text: str) -> Optional[str]:
    """The words to pass back from a resident's answer ("跟她说好的，我包饺子" → "好的，我包饺子"); "" when only
    "回个话" was said; None when the words do not start by saying whom to tell (nothing is sent then)."""
    found = _REPLY.match(text.strip())
    if found is None or not found.group(0).strip("，,：: "):
        return None
    return chinese_punctuation(text.strip()[found.end():].strip("，,。 "))


_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}


def chinese_punctuation(text: str) -> str:
    """The core's text cleaning makes "，" a ","; words passed on between people get the Chinese marks back."""
    return re.sub(r"[,?!:;]", lambda m: _FULL_WIDTH[m.group(0)], text)
