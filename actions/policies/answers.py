"""How a policy answer is said: the summary, one detail, or whether this person qualifies."""
from __future__ import annotations

import re
from typing import Iterable, List, Optional

from actions.policies.knowledge import EligibilityRule, KnowledgeBase, PolicyItem

DETAIL_WORDS = (
    ("materials", ("材料", "带什么", "带啥", "证件", "要准备", "拿什么", "手续", "照片", "户口本", "身份证", "啥证")),
    ("how", ("在哪", "去哪", "哪里办", "哪儿办", "找谁", "去哪儿", "啥时候", "什么时候", "多久", "多长时间", "开始发",
             "替我", "代办", "代我", "本人", "不用去", "网上", "评估", "咋办", "咋弄", "咋申请", "谁来", "上门办",
             "上哪", "哪儿领", "哪领")),
    ("phone", ("电话", "号码")),
    ("amount", ("多少钱", "多少", "标准", "金额", "给多少", "几块", "发钱", "要钱", "花钱", "掏钱", "自费", "贵不贵",
                "收费", "免费", "不要钱")),
    ("who", ("条件", "谁能", "什么人", "资格", "哪些人", "户口", "户籍", "外地")),
)
# A first question "怎么申请" wants the summary; about the item just discussed it wants the how.
FOLLOW_UP_HOW = ("怎么办", "怎么申请", "怎么领", "怎么弄", "流程", "怎么去", "咋领", "咋整", "怎么办理", "咋办理", "如何")
DETAIL_NAMES = {"materials": "申请材料", "how": "去哪里办", "amount": "钱数", "who": "谁能申请", "phone": "电话"}
# "国家给啥补助", "我妈能领什么", "有哪些福利": not one item, everything this person can get.
_WHAT_APPLIES = re.compile(r"(能|可以|能够)(领|享受|申请|拿|办)(点)?(啥|什么|哪些|些啥)|给(啥|什么)(补|钱|福利|好处|待遇)|"
                           r"有(啥|什么|哪些)(补助|补贴|福利|好处|待遇|政策|照顾|优惠)|(补助|补贴|福利|待遇|照顾)(有|都有)?(啥|哪些|什么)")
_ELIGIBILITY = re.compile(r"我能|能不能|能领|可以领|够不够|符合|有没有我的份|我可以|我有没有|我够|能享受|我家老人能|我妈能|我爸能")


def detail_asked(text: str, follow_up: bool = False) -> Optional[str]:
    """Which detail a question asks for ("要带什么材料" → materials), if any."""
    for kind, words in DETAIL_WORDS:
        if any(word in text for word in words):
            return kind
    if follow_up and any(word in text for word in FOLLOW_UP_HOW):
        return "how"
    return None


def asks_what_applies(text: str) -> bool:
    return bool(_WHAT_APPLIES.search(text))


def what_applies_answer(knowledge: KnowledgeBase, age: Optional[int], flags: Iterable[str], who: str,
                        limit: int = 3) -> tuple:
    """(answer, items): what this person can get, with amounts, at most `limit` items; asks the age when
    it is unknown and nothing can be said without it."""
    flags = tuple(flags)
    found = [(item, item.rule_for(age, flags)) for item in knowledge if item.eligibility]
    found = [(item, rule) for item, rule in found if rule is not None]
    found.sort(key=lambda pair: -(pair[1].amount or 0))
    if not found:
        if age is None:
            return "能领什么要看年龄和家里的情况。请告诉我多大岁数，比如“我八十二了”。", []
        return (f"按{who}{age}岁来看，我这里没有算出能直接领的补贴。家里有困难的，可以问社区：低保、临时救助都要看情况。",
                [])
    age_text = f"{age}岁，" if age is not None else ""
    parts = [f"{item.title}{'，' + say_rule(rule) if rule.amount is not None else ''}" for item, rule in found[:limit]]
    more = f"另外还有{len(found) - limit}项。" if len(found) > limit else ""
    return f"{who}{age_text}可以申请：" + "；".join(parts) + "。" + more + "想细听哪个，就说它的名字。", \
        [item for item, _ in found[:limit]]


def asks_eligibility(text: str, age_said: Optional[int]) -> bool:
    return age_said is not None or bool(_ELIGIBILITY.search(text))


PER = {"月": "每月", "年": "每年", "次": "每次", "天": "每天", "季度": "每季度"}


def say_rule(rule: EligibilityRule) -> str:
    """"元/月", 100 → "每月100元"; no amount → it depends on an assessment."""
    if rule.amount is None:
        return "具体多少要评估以后定"
    amount = f"{rule.amount:g}"
    unit, _, per = (rule.unit or "元").partition("/")
    return f"{PER.get(per, '')}{amount}{unit}"


def _condition(rule: EligibilityRule) -> str:
    parts = []
    if rule.min_age is not None:
        parts.append(f"满{rule.min_age}岁")
    if rule.flags_any:
        parts.append("是" + "或".join(rule.flags_any) + "老人")
    if rule.flags_all:
        parts.append("同时是" + "、".join(rule.flags_all))
    return "，".join(parts) or rule.label


def others_that_apply(knowledge: KnowledgeBase, item: PolicyItem, age: Optional[int], flags: Iterable[str],
                      limit: int = 2) -> List[PolicyItem]:
    flags = tuple(flags)
    return [other for other in knowledge if other.id != item.id and other.rule_for(age, flags)][:limit]


def eligibility_answer(knowledge: KnowledgeBase, item: PolicyItem, age: Optional[int], flags: Iterable[str],
                       who: str) -> str:
    """Yes with the amount, or no with the reason and what else may apply."""
    flags = tuple(flags)
    if not item.eligibility:
        return f"{item.title}：{item.details['who']}"
    rule = item.rule_for(age, flags)
    age_text = f"{age}岁，" if age is not None else ""
    if rule is not None:
        answer = f"{who}{age_text}可以申请{item.title}，{say_rule(rule)}。"
        return answer + (rule.note or "")
    if age is None and any(r.min_age is not None for r in item.eligibility):
        return f"{item.title}要看年龄。请告诉我您多大岁数，比如“我八十二了”。"
    if any(r.flags_any or r.flags_all for r in item.eligibility):
        # Means-tested: a flag missing here may just not be recorded yet, so no "no".
        return f"{item.title}要看家里的情况，我这里定不了。{item.details['who']}可以打电话{item.details['phone']}问。"
    nearest = item.eligibility[-1]
    answer = f"{who}{age_text}现在还不符合{item.title}的条件：要{_condition(nearest)}。"
    others = others_that_apply(knowledge, item, age, flags)
    if others:
        answer += f"{who}可以看看：{'、'.join(o.title for o in others)}。"
    return answer


def for_the_ear(text: str) -> str:
    """Bookkeeping is not read aloud to seniors: that amounts are the demo district's sample values is
    staff knowledge (the item's `sample_values`, shown in the staff documents), not part of the answer."""
    return text.replace("（示例标准）", "")


def detail_answer(item: PolicyItem, kind: str) -> str:
    return f"{item.title}的{DETAIL_NAMES[kind]}：{for_the_ear(item.details[kind])}"
