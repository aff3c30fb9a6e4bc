"""The request inside a long story: task words that outweigh the feelings or chat around them.

Residents tell a story first and ask at the end ("老伴走了好些年了，孩子们都在外地……明天中午能不能
给我送一份热乎饭来"). A classifier trained on short sentences hears the story (grief, loneliness) and
misses the request. These cues are plain words a request cannot do without (a meal and a verb that
asks for it, a home service by any of its names, a subsidy); when they are present, the turn is that
task. They only ever move a turn away from feelings, chat or "not understood", never away from an
emergency or another task.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, List, Optional

import yaml

from bot.kernel.words.emergency import is_reported

# Intents whose words may carry danger words and still mean what they say ("帮我约人来，我腿摔了一跤走不了" is a
# booking the emergency check follows; "我没事，没摔着" takes an alarm back; "我妈是不是摔了" asks how she is).
DANGER_KEEPS = frozenset({"emergency", "report_danger", "ask_policy", "book_service", "book_meal", "scam_warning",
                          "retract_alert", "ask_alert_status", "feel_well"})
# Intents a task cue may take a turn away from.
SOFT_INTENTS = frozenset({"share_feelings", "out_of_scope", "nlu_fallback", "greet", "thank", "inform", "ask_help"})
# Company is the one service whose words are also feelings ("孤单", "没人说话"): only asking for a
# person to come counts as booking it.
_COMPANY_ASK = re.compile(r"(找|派|来|约|请|叫)(个|一个|位)?(人|志愿者)[^，。！？,.!?]{0,3}(陪|聊|唠|说说话)|陪我(说|聊|唠|坐|拉)")

_MEAL = r"(早饭|早餐|午饭|午餐|晚饭|晚餐|中午饭|晌午饭|中饭|饭菜|热乎饭|热饭|盒饭|一份饭|两份饭|饭)"
_MEAL_ASK = re.compile(
    rf"(订|送|留|来|弄|给我|给俺|帮我|能不能|能否|行不行|中不中|可以不|成不|行不)[^，。！？,.!?]{{0,10}}{_MEAL}"
    rf"|{_MEAL}[^，。！？,.!?]{{0,8}}(送|订|留|端|拿|来)|送[^，。！？,.!?]{{0,4}}(份|到家)"
    r"|(吃饭|做饭)(都)?(成问题|没着落|成了问题|难)"
)
_POLICY = re.compile(r"补贴|补助|津贴|低保|救助|养老金|政策|优待证|长护险|护理险|适老化|能领|领钱|轮椅|助行器|辅具|拐杖|报警器|烟感|呼叫器|"
                     r"护理床|备案|体检|老年大学|扶手|防滑|适老|改造")
# Help with a cost asked about ("有没有啥能报销的", "能不能补贴点"), and the words of a booking that outweigh it.
_MONEY_HELP_ASKED = re.compile(r"(报销|补贴|补助|津贴|救助|减免|政策|能领)[^，。！？,.!?]{0,4}(吗|不|么|没有|没)?[？?]?$|"
                               r"(有没有|有啥|有什么|能不能|可不可以)[^，。！？,.!?]{0,6}(报销|补贴|补助|津贴|救助|减免|政策)")
_BOOKING_ASKED = re.compile(r"约|订|派|找个人|找人|叫人|来人|上门来|过来|帮我(打扫|洗|买|理|修)")
# Words that, with a meal, mean the story is about the meal's price or a policy, not a booking.
_MEAL_POLICY = re.compile(r"补贴|补助|便宜|多少钱|政府")
_MEAL_TIME = re.compile(r"早饭|早餐|午饭|午餐|晚饭|晚餐|中午|晌午|晚上|早上")
_PORTIONS = re.compile(r"[一两俩三四几1-4]份|送(家|到|过来|上门)")
_DETAILS = frozenset({"quantity", "date", "meal_type", "delivery", "time_of_day", "service_type"})
_STOP = re.compile(r"不要了|不订|不去吃|不吃了|取消|退掉|退了")


# A yes in any register, at the start of a short reply ("中，麻烦你了", "对对对，你给我订上吧").
_YES_START = re.compile(r"^(对|好|行|中|嗯|可以|是的|是啊|没问题|没错|成|管|要得|妥|得嘞|好嘞|就这样|就这么)")
_NOT_YES = re.compile(r"不|别|没(有|订|说)|算了|错|改|换")
YES_FROM = frozenset({"thank", "book_meal", "book_service", "share_feelings", "inform", "greet", "nlu_fallback",
                      "feel_well"})


def starts_with_yes(text: str) -> bool:
    """"对，就是洗澡", "好，约上吧": a yes first, and no no after it."""
    return bool(_YES_START.search(text)) and not _NOT_YES.search(text[1:])


def yes_inside(text: str, intent: str, entities: Iterable[str] = ()) -> bool:
    """A short reply that starts with a yes and asks nothing new is a yes, whatever else it says."""
    if intent not in YES_FROM or len(text) > 20 or set(entities) & _DETAILS:
        return False
    if intent in ("book_meal", "book_service") and not re.search(r"订上|订吧|约上|约吧|就这么|就这样|办吧", text):
        return False
    return starts_with_yes(text)


# Bodily danger and hazards: with these words a soft turn is never read as a task, and a turn the
# classifier took for a feeling or chat goes to the emergency conversation (which asks first when unsure).
DANGER = re.compile(r"摔(倒|了|跤|着)|跌倒|倒在地|晕倒|昏过去|胸口(疼|痛|闷)|喘不上|憋得|憋紫|噎着|卡住了|抽搐|出血|流血|"
                    r"烫伤|烫起|烫了一|烫破|起泡了|起了泡|(?<![不没])着火|烧着了|起火|冒烟|冒黑烟|烟味|煤气味|燃气味|漏气|臭鸡蛋|撬门|撬锁|小偷|迷路|找不到家|找不着家|起不来|"
                    r"动不了|不省人事|救命|站不住|站不稳|冒虚汗|出虚汗|头晕眼花|眼前发黑")
EMERGENCY_HINT = 0.2  # the classifier's own doubt: emergency this likely among its candidates


def danger_in(text: str, ranking: Iterable[tuple] = ()) -> bool:
    """Danger words, or an emergency the classifier itself thought likely."""
    return bool(DANGER.search(text)) or any(name == "emergency" and confidence >= EMERGENCY_HINT
                                            for name, confidence in ranking)


def load_service_words(path: Path) -> List[str]:
    """Every service's name and synonyms from the catalogue staff edit (data/services.yml), but company's."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words: List[str] = []
    for service in document.get("services") or []:
        if service.get("code") == "companionship":
            continue
        words.append(str(service.get("name") or ""))
        words.extend(str(word) for word in service.get("synonyms") or [])
    return sorted({w for w in words if len(w) >= 2}, key=len, reverse=True)


class TaskCues:
    """Decides, from the words alone, whether a soft intent hides a request."""

    def __init__(self, service_words: Iterable[str]) -> None:
        self.service_words = tuple(service_words)

    def task_in(self, text: str, intent: str, entities: Iterable[str] = (),
                ranking: Iterable[tuple] = ()) -> Optional[str]:
        """The intent these words really ask for, or None to keep the classifier's intent. Danger told of in
        the past or as a hypothetical ("我妈前几天在家摔了，现在出院了") is asked about, not alarmed."""
        task = self._task_in(text, intent, entities, ranking)
        if task == "emergency" and is_reported(text):
            return "report_danger"
        return task

    def _task_in(self, text: str, intent: str, entities: Iterable[str] = (),
                 ranking: Iterable[tuple] = ()) -> Optional[str]:
        if not text or text.startswith("/"):
            return None
        if intent == "affirm" and "policy_topic" in entities and not _YES_START.search(text):
            return "ask_policy"  # a bare policy name ("底保") is never a yes
        if intent == "book_service" and _MONEY_HELP_ASKED.search(text) and not _BOOKING_ASKED.search(text):
            return "ask_policy"  # "…护理的钱太贵了，有没有啥能报销的": help with the cost, not a visit
        if (intent == "ask_policy" and _BOOKING_ASKED.search(text) and not _POLICY.search(text)
                and not _MONEY_HELP_ASKED.search(text) and any(word in text for word in self.service_words)):
            return "book_service"  # "燃气灶打不着火……找个人来给看看": a visit asked for, no policy named
        if intent == "ask_policy" and DANGER.search(text) and not _POLICY.search(text) \
                and not _MONEY_HELP_ASKED.search(text):
            return "emergency"  # danger words and no policy named: the danger told, never a "not found" answer
        if intent not in SOFT_INTENTS | YES_FROM | DANGER_KEEPS and DANGER.search(text) and not _POLICY.search(text):
            return "emergency"  # "我上厕所跌地上了，动不了" read as some errand: the danger comes first
        if intent not in SOFT_INTENTS | YES_FROM:
            return None
        if intent in SOFT_INTENTS and danger_in(text, ranking):
            # A question about care for someone bedridden is a policy question, not an emergency.
            return None if intent == "inform" or _POLICY.search(text) else "emergency"
        found = set(entities)
        if yes_inside(text, intent, found):
            return "affirm"
        if intent == "inform":
            # "明天中午一份，送家里" with no question asked: a meal booking said in one breath.
            meal = "meal_type" in found or _MEAL_TIME.search(text)
            return "book_meal" if meal and (found & {"quantity", "delivery"} or _PORTIONS.search(text)) else None
        if intent == "share_feelings" and found & _DETAILS and len(text) <= 12:
            return "inform"  # "就我一个人，一份": the answer to "几份？", not loneliness
        if _STOP.search(text) or intent not in SOFT_INTENTS:
            return None
        if _MEAL_ASK.search(text) and not _MEAL_POLICY.search(text):
            return "book_meal"
        if _MONEY_HELP_ASKED.search(text) and not _BOOKING_ASKED.search(text):
            return "ask_policy"  # help with a cost, though a service is named in the story
        if _COMPANY_ASK.search(text) or any(word in text for word in self.service_words):
            return "book_service"
        if _POLICY.search(text) and len(text) > 8:
            return "ask_policy"
        return None
