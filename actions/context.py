"""Who a task serves and acts for, and the local time: what every booking action needs first."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Optional

from rasa_sdk import Tracker

from actions import runtime
from actions.tracker_utils import resident_id
from bot.kernel.clock import local_now


@dataclass(frozen=True)
class TaskContext:
    resident_id: Optional[int]
    actor: str  # "resident:3", "family:2" — written into bookings, cancellations, history
    is_family: bool
    now: dt.datetime
    channel: str = ""

    @property
    def today(self) -> dt.date:
        return self.now.date()


def task_fields(tracker: Tracker) -> Dict[str, Any]:
    rid = resident_id(tracker)
    family = tracker.get_slot("actor_role") == "family" and tracker.get_slot("family_member_id")
    actor = f"family:{tracker.get_slot('family_member_id')}" if family else f"resident:{rid}"
    return dict(resident_id=rid, actor=actor, is_family=bool(family), now=local_now(runtime.settings()),
                channel=tracker.get_slot("channel") or "")


def task_context(tracker: Tracker) -> TaskContext:
    return TaskContext(**task_fields(tracker))


def who_for(context: TaskContext, resident_name: Optional[str]) -> str:
    """How the resident is named in a sentence: 您 to themselves, by name to family."""
    if context.is_family:
        return resident_name or "您"
    return "您"
