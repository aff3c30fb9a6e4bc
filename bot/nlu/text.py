"""Cleaning of user text before it is interpreted, and what makes input unusable."""
from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Optional

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}\uff0c\u3002\uff1f\uff01])\s+(?=[{_CJK}\uff0c\u3002\uff1f\uff01])")
_ANSI_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")  # e.g. arrow keys typed at a terminal
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_HAS_CJK = re.compile(rf"[{_CJK}]")


class InputProblem(str, Enum):
    """Why a message cannot be interpreted as a request."""

    EMPTY = "empty"  # nothing, or only emoji, punctuation, control characters
    TOO_LONG = "too_long"
    NOT_CHINESE = "not_chinese"  # letters (of any script) but no Chinese characters
    HESITATION = "hesitation"  # only fillers while searching for a word: "嗯……那个……啥来着"


def normalize(text: Optional[str]) -> str:
    """Normalise width, drop control characters and the spaces speech recognisers put between characters."""
    if not text:
        return ""
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = _ANSI_ESCAPE.sub(" ", cleaned)
    cleaned = _CONTROL.sub(" ", cleaned)
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    return _SPACE_BETWEEN_CJK.sub("", cleaned)


# Words people fill a pause with. A bare "嗯" is a yes, so only a search for a word ("那个", "啥来着",
# "怎么说") with nothing but fillers around it is a hesitation.
_FILLER = re.compile(r"那个谁|那个|这个|就是说|就是|啥来着|什么来着|怎么说呢|怎么说|让我想想|我想想|想想|等等|等一下|"
                     r"等会儿|哎呀|哎哟|嗯+|呃+|额+|啊+|唉+|哎+|诶+|哦+|噢+|嘛|呀|呢|吧")
_SEARCHING = re.compile(r"那个|这个|啥来着|什么来着|怎么说|想想|等等|等一下|等会儿")
_PAUSE = re.compile(r"[\s，。？！、…,.?!~～-]+")


def is_hesitation(text: str) -> bool:
    """Only fillers while the speaker searches for a word: a pause to wait through, not a request."""
    return bool(_SEARCHING.search(text)) and not _PAUSE.sub("", _FILLER.sub("", text))


def input_problem(text: Optional[str], max_chars: int) -> Optional[InputProblem]:
    """What is wrong with the (normalised) text, or None when it can be interpreted."""
    cleaned = normalize(text)
    if not any(char.isalnum() for char in cleaned):
        return InputProblem.EMPTY
    if len(cleaned) > max_chars:
        return InputProblem.TOO_LONG
    if not _HAS_CJK.search(cleaned) and any(char.isalpha() for char in cleaned):
        return InputProblem.NOT_CHINESE  # "hello", "Привет", "*0æ": nothing here to understand
    if is_hesitation(cleaned):
        return InputProblem.HESITATION
    return None
