"""Finding the policy a question is about: the item's names and aliases found in the words,
or heard alike (pinyin, so 高龄金贴, 底保 and 常护险 still find their item), with the
item's own text as a weaker signal for questions that describe a situation instead."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Dict, FrozenSet, List, Sequence, Tuple

from pypinyin import Style, pinyin

from actions.lang.numbers import clean
from actions.policies.knowledge import KnowledgeBase, PolicyItem

# Sounds a recogniser (or a dialect) mixes up are made the same before comparing.
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))
_BRACKETS = re.compile(r"[（(](.*?)[）)]")
_IGNORED = re.compile(r"[^\u3400-\u9fffA-Za-z0-9+]")
# Words of a question that say nothing about which policy it is.
_STOP = set("的了吗呢啊呀吧么我你他她它们在是有和跟与还要想能可以怎么样什么哪里多少钱领办申请给这那个一")

EXACT = 1.0
SOUNDS_ALIKE = 0.95
MOSTLY_ALIKE = 0.8
PART_OF_NAME = 0.4  # "康复辅具" is most of "康复辅具租赁": close, but it may be several items
TEXT_WEIGHT = 0.7
TIE_BREAK = 0.4  # the item's text, added to a name's score
# Words many names share: a part of a name made only of these names no item ("老年人" of 老年人体检 in
# "老年人坐公交不要钱吧").
_COMMON_PART = re.compile(r"老年人|老年|老人|免费|补贴|补助|服务|社区|申请")


# Measure words said between a verb and its object.
_MEASURE = re.compile(r"一?[个些点]")


def _fuzzy(syllable: str) -> str:
    for long, short in _INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in _FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


def sounds(text: str) -> List[FrozenSet[str]]:
    """Per character, every way it may be pronounced (polyphones such as 长 give several)."""
    readings = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda chars: [[c] for c in chars])
    return [frozenset(_fuzzy(r) for r in options) for options in readings]


def _sound_match(name: str, name_sounds: Sequence[FrozenSet[str]], query: str,
                 heard: Sequence[FrozenSet[str]]) -> float:
    """The best share of the name's syllables heard at one place in the question.

    A place counts only when some of its characters are the name's own: a recogniser that mishears
    keeps most characters (底保, 高龄金贴), while two unrelated words that merely sound alike share
    none (卫生 is not 微信, whose 信 may also be read shen). A place heard only mostly alike needs
    more than half of the name's characters."""
    size = len(name_sounds)
    best = 0.0
    for start in range(len(heard) - size + 1):
        same = sum(1 for j in range(size) if name_sounds[j] & heard[start + j])
        if not same:
            continue
        identical = sum(1 for j in range(size) if name[j] == query[start + j])
        share = same / size
        if share < 1.0 and identical * 2 <= size:
            continue
        if identical == 0:
            continue
        best = max(best, share)
        if best == 1.0:
            break
    return best


def _bigrams(text: str) -> Counter:
    chars = [c for c in _IGNORED.sub("", text) if c not in _STOP]
    return Counter(a + b for a, b in zip(chars, chars[1:])) + Counter(chars)


@dataclass(frozen=True)
class Match:
    item: PolicyItem
    score: float
    via: str  # the name or alias that matched, or "text"


class PolicyIndex:
    """Built once per loaded knowledge base."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.items = list(knowledge)
        self.names: List[Tuple[PolicyItem, str, List[FrozenSet[str]]]] = []
        for item in self.items:
            for name in self._names_of(item):
                self.names.append((item, name, sounds(name)))
        docs = {item.id: _bigrams(" ".join([item.title, *item.aliases, item.summary, item.details.get("who", "")]))
                for item in self.items}
        frequency = Counter(gram for doc in docs.values() for gram in doc)
        self.idf = {gram: math.log(1 + len(docs) / count) for gram, count in frequency.items()}
        self.vectors = {item_id: self._weigh(doc) for item_id, doc in docs.items()}

    @staticmethod
    def _names_of(item: PolicyItem) -> List[str]:
        names = {clean(item.title), *(clean(alias) for alias in item.aliases)}
        for bracketed in _BRACKETS.findall(item.title):
            names.update({clean(bracketed), clean(_BRACKETS.sub("", item.title))})
        return [name for name in names if len(name) >= 2]

    def _weigh(self, grams: Counter) -> Dict[str, float]:
        vector = {gram: count * self.idf.get(gram, 0.0) for gram, count in grams.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {gram: value / norm for gram, value in vector.items()}

    def search(self, text: str, limit: int = 3) -> List[Match]:
        """The best items for the question, best first."""
        query = clean(text)
        if not query:
            return []
        heard = sounds(query)
        loose = _MEASURE.sub("", query)  # "装个扶手" names 装扶手
        best: Dict[str, Match] = {}

        def offer(item: PolicyItem, score: float, via: str) -> None:
            if item.id not in best or score > best[item.id].score:
                best[item.id] = Match(item, round(score, 4), via)

        for item, name, name_sounds in self.names:
            length_bonus = 0.01 * len(name)
            if name in query or (len(name) >= 3 and name in loose):
                offer(item, EXACT + length_bonus, name)
                continue
            alike = _sound_match(name, name_sounds, query, heard)
            if alike == 1.0:
                offer(item, SOUNDS_ALIKE + length_bonus, name)
            elif alike >= 0.75 and len(name) >= 4:
                offer(item, MOSTLY_ALIKE * alike + length_bonus, name)
            block = SequenceMatcher(None, name, query, autojunk=False).find_longest_match(
                0, len(name), 0, len(query))
            shared = block.size
            if len(_COMMON_PART.sub("", name[block.a:block.a + shared])) < 2:
                continue
            if shared >= 3 and shared / len(name) >= 0.6:
                offer(item, PART_OF_NAME + 0.4 * shared / len(name), name)
        question = self._weigh(_bigrams(query))
        for item in self.items:
            vector = self.vectors[item.id]
            cosine = sum(weight * vector.get(gram, 0.0) for gram, weight in question.items())
            found = best.get(item.id)
            if found is not None and found.via != "text" and found.score < SOUNDS_ALIKE:
                # Two names matched in part alike ("报警器" of 燃气报警器 and of 报警器安装): the item whose own text
                # fits the rest of the words ("老忘关火") comes first; with no other words ("康复辅具怎么弄")
                # they stay alike and the person is asked which.
                rest = self._weigh(_bigrams("".join(c for c in query if c not in found.via)))
                fit = sum(weight * vector.get(gram, 0.0) for gram, weight in rest.items())
                best[item.id] = Match(item, round(found.score + TIE_BREAK * fit, 4), found.via)
            offer(item, TEXT_WEIGHT * cosine, "text")
        return sorted(best.values(), key=lambda m: -m.score)[:limit]
