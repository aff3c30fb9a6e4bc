"""The care rounds `xiaonuan run` makes every minute (and tests make on a frozen clock).

* a check-in asked twice with no answer → an alert of kind "check_in", once per day;
* a home kiosk silent for XIAONUAN_INACTIVITY_HOURS of daytime → an alert of kind "inactive", once per
  silence and never at night (night hours do not count towards the silence either).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from actions.checkin.activity import last_interactions
from actions.checkin.escalate import CHECK_IN, INACTIVE, announce_quiet, raise_quiet_alert
from actions.checkin.plan import plan_for
from actions.checkin.schedule import Step, in_daytime, next_step
from actions.checkin.store import today_of
from actions.db.models import Checkin, InactivityAlert, Resident
from actions.safety.records import Raised
from bot.kernel.clock import to_local
from bot.kernel.settings import Settings

logger = logging.getLogger(__name__)


def _utc(settings: Settings, local: dt.datetime) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return local.replace(tzinfo=ZoneInfo(settings.timezone)).astimezone(dt.timezone.utc).replace(tzinfo=None)


def check_in_text(asked_local: dt.datetime) -> str:
    return f"（每日问候）{asked_local:%H:%M}起问了两次“今天身体怎么样？”，都没有回答。"


def check_in_family_text(name: str, asked_local: dt.datetime) -> str:
    return (f"【每日问候没回答】{name}今天{asked_local:%H:%M}的问候问了两次，都没有回答。"
            "社区工作人员已经收到，会去看看。您方便的话也打个电话问问。")


def inactive_text(since_local: dt.datetime, hours: float) -> str:
    return f"（长时间没动静）家里的小暖从{since_local:%H:%M}起{hours:g}小时没有听到说话。"


def inactive_family_text(name: str, since_local: dt.datetime, now_local: dt.datetime) -> str:
    return (f"【长时间没动静】{name}家里的小暖从{since_local:%H:%M}到{now_local:%H:%M}没有听到老人说话。"
            "社区工作人员已经收到，会去看看。您方便的话也打个电话问问。")


def checkin_round(sessions: sessionmaker, now_local: dt.datetime, settings: Settings,
                  trackers: Optional[sessionmaker] = None) -> List[int]:
    """Escalate today's check-ins asked twice and still unanswered; returns the alert ids."""
    now_utc = _utc(settings, now_local)
    with sessions() as session:
        waiting = [(row.id, row.resident_id) for row in session.scalars(
            select(Checkin).where(Checkin.day == now_local.date(), Checkin.answered_at.is_(None),
                                  Checkin.escalated_at.is_(None), Checkin.tries >= 1))]
    if not waiting:
        return []
    seen = last_interactions(trackers or sessions, [rid for _, rid in waiting])
    raised: List[Raised] = []
    for checkin_id, rid in waiting:
        with sessions.begin() as session:
            row = session.get(Checkin, checkin_id)
            plan = plan_for(session, rid, settings.checkin_time)
            step = next_step(plan, today_of(row), seen.get(rid), now_local, now_utc,
                             settings.checkin_retry_minutes, settings.daytime)
            if row is None or row.escalated_at is not None or step is not Step.ESCALATE:
                continue
            resident = session.get(Resident, rid)
            first_asked = to_local(settings, row.asked_at) - dt.timedelta(
                minutes=settings.checkin_retry_minutes * (row.tries - 1))
            done = raise_quiet_alert(session, resident, CHECK_IN, check_in_text(first_asked),
                                     check_in_family_text(resident.name, first_asked), now_utc)
            row.escalated_at, row.alert_id = now_utc, done.alert_id
        raised.append(done)
    for done in raised:
        announce_quiet(done)
    return [done.alert_id for done in raised]


def inactivity_round(sessions: sessionmaker, now_local: dt.datetime, settings: Settings,
                     trackers: Optional[sessionmaker] = None) -> List[int]:
    """Escalate home kiosks silent for the configured daytime span; returns the alert ids."""
    if settings.inactivity_hours <= 0 or not in_daytime(now_local, settings.daytime):
        return []
    span = dt.timedelta(hours=settings.inactivity_hours)
    day_start = dt.datetime.combine(now_local.date(), dt.datetime.strptime(settings.daytime[0], "%H:%M").time())
    now_utc = _utc(settings, now_local)
    raised: List[Raised] = []
    for rid, last_seen in sorted(last_interactions(trackers or sessions).items()):
        last_utc = last_seen.replace(microsecond=0)  # the same silence compares equal on every database
        since = max(to_local(settings, last_utc), day_start)
        if now_local - since < span:
            continue
        try:
            with sessions.begin() as session:
                resident = session.get(Resident, rid)
                known = session.scalar(select(InactivityAlert.id).where(InactivityAlert.resident_id == rid,
                                                                         InactivityAlert.silent_since == last_utc))
                if resident is None or known is not None:
                    continue
                done = raise_quiet_alert(session, resident, INACTIVE, inactive_text(since, settings.inactivity_hours),
                                         inactive_family_text(resident.name, since, now_local), now_utc)
                session.add(InactivityAlert(resident_id=rid, silent_since=last_utc, alert_id=done.alert_id,
                                            created_at=now_utc))
        except IntegrityError:  # another worker took this silence a moment ago
            continue
        raised.append(done)
    for done in raised:
        announce_quiet(done)
    return [done.alert_id for done in raised]
