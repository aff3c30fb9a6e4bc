"""When the check-in is asked, asked again, or handed to staff: one pure decision, on any clock.

The kiosk acts on ASK and AGAIN (when idle); `xiaonuan run`'s care round acts on ESCALATE. An answer is
the check-in action's record, or any word from the resident after the latest try.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Optional, Tuple

from actions.checkin.plan import Plan

MAX_TRIES = 2


class Step(str, Enum):
    NOTHING = "nothing"
    ASK = "ask"
    AGAIN = "again"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Today:
    """Today's check-in record as the decision needs it (times in UTC, like the database)."""

    tries: int
    asked_at: dt.datetime
    answered_at: Optional[dt.datetime] = None
    escalated_at: Optional[dt.datetime] = None


def in_daytime(local: dt.datetime, daytime: Tuple[str, str]) -> bool:
    return daytime[0] <= local.strftime("%H:%M") < daytime[1]


def answered(today: Today, last_seen_utc: Optional[dt.datetime]) -> bool:
    return today.answered_at is not None or (last_seen_utc is not None and last_seen_utc > today.asked_at)


def next_step(plan: Optional[Plan], today: Optional[Today], last_seen_utc: Optional[dt.datetime],
              now_local: dt.datetime, now_utc: dt.datetime, retry_minutes: int,
              daytime: Tuple[str, str]) -> Step:
    """What is due now for one resident's check-in."""
    if plan is None or not plan.enabled:
        return Step.NOTHING
    if today is None:
        due = now_local.strftime("%H:%M") >= plan.time and in_daytime(now_local, daytime)
        return Step.ASK if due else Step.NOTHING
    if answered(today, last_seen_utc) or today.escalated_at is not None:
        return Step.NOTHING
    if now_utc < today.asked_at + dt.timedelta(minutes=retry_minutes):
        return Step.NOTHING
    if today.tries < MAX_TRIES:
        return Step.AGAIN if in_daytime(now_local, daytime) else Step.ESCALATE
    return Step.ESCALATE
