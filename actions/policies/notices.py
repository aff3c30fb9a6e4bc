"""主动发现、主动告知: residents who became eligible for something this month are told once.

A resident "became eligible" on a day when a rule applies to them on that day
but did not a month before (they turned 80, say), or when staff changed their
flags within that month (newly 低保, 失能 …). The notice goes through the
outbox to the resident (said at the kiosk at their next conversation) and to
linked family; its key makes each notice happen once, however often this runs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Tuple

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.db.models import OutboxMessage, Resident
from actions.outbox import enqueue
from actions.policies.answers import say_rule
from actions.policies.knowledge import EligibilityRule, KnowledgeBase, PolicyItem
from actions.residents import linked_family_ids

WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class NewlyEligible:
    resident_id: int
    resident_name: str
    item: PolicyItem
    rule: EligibilityRule
    reason: str  # "这个月满80岁了" / "新登记为失能老人"


def _flags(resident: Resident) -> Tuple[str, ...]:
    return tuple(f for f in (resident.flags or "").split(",") if f)


def newly_eligible(sessions: sessionmaker, knowledge: KnowledgeBase, day: dt.date) -> List[NewlyEligible]:
    found: List[NewlyEligible] = []
    since = dt.datetime.combine(day - WINDOW, dt.time())
    with sessions() as session:
        for resident in session.scalars(select(Resident).order_by(Resident.id)):
            flags = _flags(resident)
            flags_new = resident.flags_updated_at is not None and resident.flags_updated_at >= since
            for item in knowledge:
                rule = item.rule_for(resident.age_on(day), flags)
                if rule is None:
                    continue
                before = item.rule_for(resident.age_on(day - WINDOW), flags)
                if before is None and rule.min_age is not None:
                    reason = f"满{resident.age_on(day)}岁了"
                elif flags_new and (rule.flags_any or rule.flags_all):
                    reason = f"登记为{'、'.join(f for f in flags if f in rule.flags_any + rule.flags_all)}"
                else:
                    continue
                found.append(NewlyEligible(resident.id, resident.name, item, rule, reason))
    return found


def queue_notices(sessions: sessionmaker, knowledge: KnowledgeBase, day: dt.date) -> int:
    """Queue a notice for each new eligibility; returns how many notices were new (each is given once)."""
    queued = 0
    for found in newly_eligible(sessions, knowledge, day):
        cause = f"policy:{found.item.id}:{found.rule.label}"
        money = f"，{say_rule(found.rule)}" if found.rule.amount else ""
        to_resident = f"您{found.reason}，可以申请{found.item.title}{money}。想了解的话，跟小暖说“{found.item.title}”。"
        to_family = (f"{found.resident_name}{found.reason}，可以申请{found.item.title}{money}。"
                     f"可以问小暖“{found.item.title}怎么申请”。")
        with sessions.begin() as session:
            recipients = [(f"resident:{found.resident_id}", to_resident)] + [
                (f"family:{fid}", to_family) for fid in linked_family_ids(session, found.resident_id)]
            keys = [f"{cause}:{recipient}" for recipient, _ in recipients]
            existing = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))))
            enqueue(session, recipients, "policy_notice", cause)
            queued += sum(1 for key in keys if key not in existing)
    return queued
