"""A follow-up about the item just discussed, answered with the one sentence of its text that says it.

People ask follow-ups the five detail fields do not name ("钱打哪儿", "能取现金不", "礼拜天开门不",
"要空着肚子去不", "能送到家不"). The answer is usually one sentence somewhere in the item's summary or
details: the sentence sharing the most (rare) characters and pairs of characters with the question,
after everyday words are put into the knowledge base's words (啥 → 什么, 空着肚子 → 空腹).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, List, Optional, Tuple

from actions.policies.knowledge import PolicyItem

# Everyday words in a question, and the words the knowledge base uses for the same thing.
_EVERYDAY = (
    (re.compile(r"啥"), "什么"),
    (re.compile(r"咋"), "怎么"),
    (re.compile(r"哪儿|哪块|哪达"), "哪里"),
    (re.compile(r"空着肚子|饿着肚子|不吃饭|吃早饭|吃东西|喝水"), "空腹不要吃饭喝水"),
    (re.compile(r"礼拜|星期|周末|周六|周日|开门|关门|几点|上班"), "工作日上午点下午"),
    (re.compile(r"送到家|送家|送过来|送来|拉走|来拉|来取|来拿|上家"), "送货上门"),
    (re.compile(r"取钱|取出来|提现|换成钱"), "取现金"),
    (re.compile(r"丢了|掉了|找不着|找不到"), "丢了挂失补办"),
    (re.compile(r"便宜|优惠|打折"), "减半减"),
    (re.compile(r"花钱|掏钱|收钱|要钱"), "收费自费钱"),
    (re.compile(r"存折|银行"), "卡"),
    (re.compile(r"打哪|打到哪|打在哪|钱打|发到哪|哪个卡|哪张卡"), "打到卡上"),
    (re.compile(r"(啥|什么|哪个|哪张)卡|办卡|刷卡"), "优待卡养老卡助残卡社保卡"),
)
# Characters that say nothing about which sentence answers ("能…不", "是不是…吗").
_STOP = set("的了吗呢啊呀吧么嘛哦哈我你他她它们是还要想能会可以这那个一不没有就都也给让在什么怎么哪里")
_SENTENCE_END = re.compile(r"[。；！？;!?]")
_NOT_CJK = re.compile(r"[^\u3400-\u9fff0-9]")
FIELDS = ("summary", "how", "materials", "amount", "who")
MIN_SCORE = 4.5  # below this the words share too little with any sentence to be its answer


def _everyday_to_written(text: str) -> str:
    for pattern, written in _EVERYDAY:
        if pattern.search(text):
            text = text + written
    return text


def _grams(text: str) -> Counter:
    chars = [c for c in _NOT_CJK.sub("", text)]
    grams = Counter(c for c in chars if c not in _STOP)
    grams.update(a + b for a, b in zip(chars, chars[1:]) if a not in _STOP and b not in _STOP)
    return grams


def sentences_of(item: PolicyItem) -> List[Tuple[str, str]]:
    """(field, sentence) for every sentence of the item's summary and details."""
    found = []
    for field in FIELDS:
        text = item.summary if field == "summary" else item.details.get(field, "")
        for sentence in _SENTENCE_END.split(text.replace("（示例标准）", "")):
            if sentence.strip():
                found.append((field, sentence.strip()))
    return found


def best_sentence(item: PolicyItem, question: str,
                  all_items: Iterable[PolicyItem] = ()) -> Optional[Tuple[str, str, float]]:
    """(field, sentence, score) of the item's sentence that answers the question best, or None."""
    candidates = sentences_of(item)
    if not candidates or not question:
        return None
    corpus = [sentence for other in (list(all_items) or [item]) for _, sentence in sentences_of(other)]
    frequency = Counter(gram for sentence in corpus for gram in set(_grams(sentence)))
    wanted = _grams(_everyday_to_written(question))
    best: Optional[Tuple[str, str, float]] = None
    for field, sentence in candidates:
        present = _grams(sentence)
        score, shared = 0.0, [gram for gram in wanted if gram in present]
        if not any(len(gram) == 2 for gram in shared) and len(shared) < 3:
            continue  # one character in common ("好", "急") is chance, not an answer
        for gram in shared:
            rarity = math.log(1 + len(corpus) / (1 + frequency.get(gram, 0)))
            score += rarity * (2.0 if len(gram) == 2 else 1.0)
        if best is None or score > best[2]:
            best = (field, sentence, round(score, 3))
    return best if best is not None and best[2] >= MIN_SCORE else None
