"""Is "how are you today?" answered with fine or not so well? Words first, the classifier second.

A low answer wins over a fine one ("还行，就是头晕"); saying nothing clear is neither.
"""
from __future__ import annotations

import re
from typing import Optional

LOW = re.compile(r"不太好|不大好|不好|不舒服|难受|头晕|头疼|头痛|没睡好|睡不好|睡不着|没劲|没力气|乏|累|咳|发烧|"
                 r"疼|痛|闷|心慌|不得劲|不行|够呛|没胃口|吃不下|恶心|拉肚子|腿软|哪都不好")
FINE = re.compile(r"挺好|还好|还行|好着|很好|不错|都好|蛮好|好好的|没事|没毛病|硬朗|精神|可以|好[的啊呀嘞咧哩]?$|^好")

FINE_INTENTS = ("feel_well", "affirm", "thank")
LOW_INTENTS = ("feel_unwell", "share_feelings", "deny")


def mood_of(text: str, intent: str = "") -> Optional[str]:
    """"low", "ok", or None when the words say neither."""
    said = (text or "").strip()
    if LOW.search(said):
        return "low"
    if FINE.search(said):
        return "ok"
    if intent in LOW_INTENTS:
        return "low"
    if intent in FINE_INTENTS:
        return "ok"
    return None
