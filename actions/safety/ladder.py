"""The escalation ladder: an alert nobody acknowledges climbs, one rung at a time, each rung once.

Rung 0 is the desk itself (every console shows a new alert at once, with a sound). An alert still
unacknowledged after `settings.escalation_s[0]` seconds (60 by default) is re-sounded on the desk,
marked 已升级, and every linked relative not yet told is told; after `escalation_s[1]` seconds (180)
every staff account is called (staff have no push channel, so the call waits on the desk for each of
them and records whether they saw it) and the community's phone numbers are shown on the banner.

`escalate` is a plain function of the database and a "now", so tests drive it on a frozen clock and
`xiaonuan run` calls it every few seconds. A rung is taken by a conditional UPDATE of `alerts.escalated`
(only an open alert below that rung moves), so two workers, or a staff member acknowledging at the
same moment, never make a rung happen twice or after the acknowledgement; `alert_escalations` has a
unique key per alert and rung as well.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import Alert, AlertEscalation, AuditLog, OutboxMessage, Resident, StaffNotice, StaffUser
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from actions.safety.records import family_alert_text
from bot.kernel.clock import to_local
from bot.kernel.settings import Settings

RESOUNDED, EVERYONE = 1, 2
RUNG_NAMES = {RESOUNDED: "再次响铃，通知家属", EVERYONE: "呼叫全部工作人员"}
LADDER_ACTOR = "system:ladder"
NOT_CLIMBING = ("scam",)  # a fraud warning is a record for staff, not an alarm call


@dataclass(frozen=True)
class Climb:
    """One rung an alert reached in this round: what was done."""

    alert_id: int
    rung: int
    family_told: int = 0
    staff_called: int = 0


def community_phones(settings: Settings) -> List[str]:
    """The numbers shown at the top rung: the community phone, then XIAONUAN_ESCALATION_PHONES."""
    extra = [part.strip() for part in re.split(r"[,，;；]", settings.escalation_phones) if part.strip()]
    return [f"社区服务中心 {settings.community_phone}"] + extra


def _rungs(settings: Settings) -> Tuple[Tuple[int, int], ...]:
    first, top = settings.escalation_s
    return (RESOUNDED, first), (EVERYONE, top)


def _tell_family(session: Session, alert: Alert, settings: Settings) -> int:
    """Relatives not yet told of this alert are told now (the outbox key keeps it to one notice each)."""
    if alert.resident_id is None:
        return 0
    resident = session.get(Resident, alert.resident_id)
    if resident is None:
        return 0
    cause = f"alert:{alert.id}"
    untold = [fid for fid in linked_family_ids(session, resident.id)
              if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == f"{cause}:family:{fid}")) is None]
    raised = to_local(settings, alert.created_at)
    enqueue(session, [(f"family:{fid}", family_alert_text(resident.name, alert.location, alert.text, raised))
                      for fid in untold], "emergency", cause)
    return len(untold)


def _call_everyone(session: Session, alert: Alert, after_s: int, settings: Settings, now: dt.datetime) -> int:
    """A call waiting on the desk for every staff account."""
    resident = session.get(Resident, alert.resident_id) if alert.resident_id else None
    name = resident.name if resident else "未登记居民"
    text = (f"{name}的紧急求助已经{_span(after_s)}没有人确认，请所有工作人员马上处理。"
            f"电话：{'；'.join(community_phones(settings))}")
    staff_ids = list(session.scalars(select(StaffUser.id).order_by(StaffUser.id)))
    for staff_id in staff_ids:
        session.add(StaffNotice(staff_id=staff_id, alert_id=alert.id, kind="all_staff", text=text, created_at=now))
    return len(staff_ids)


def _span(seconds: int) -> str:
    return f"{seconds // 60}分钟" if seconds % 60 == 0 else f"{seconds}秒"


def _climb(sessions: sessionmaker, alert_id: int, rung: int, after_s: int, now: dt.datetime,
           settings: Settings) -> Optional[Climb]:
    """Take one rung in one transaction; None when it was taken already or the alert was answered."""
    with sessions.begin() as session:
        moved = session.execute(
            update(Alert).where(Alert.id == alert_id, Alert.status == "open", Alert.escalated < rung)
            .values(escalated=rung).execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            return None
        alert = session.get(Alert, alert_id)
        session.add(AlertEscalation(alert_id=alert_id, rung=rung, after_s=after_s, created_at=now))
        if rung == RESOUNDED:
            climb = Climb(alert_id, rung, family_told=_tell_family(session, alert, settings))
        else:
            climb = Climb(alert_id, rung, staff_called=_call_everyone(session, alert, after_s, settings, now))
        session.add(AuditLog(actor=LADDER_ACTOR, action="alert_escalated", target=f"alert:{alert_id}",
                             detail=f"rung={rung} {RUNG_NAMES[rung]} after={after_s}s "
                                    f"family_told={climb.family_told} staff_called={climb.staff_called}",
                             created_at=now))
        return climb


def escalate(sessions: sessionmaker, now: dt.datetime, settings: Settings) -> List[Climb]:
    """Climb every open alert whose wait has passed a rung it has not reached; `now` is naive UTC."""
    first = min(after for _, after in _rungs(settings))
    with sessions() as session:
        due = list(session.execute(
            select(Alert.id, Alert.created_at, Alert.escalated)
            .where(Alert.status == "open", Alert.kind.not_in(NOT_CLIMBING), Alert.escalated < EVERYONE,
                   Alert.created_at <= now - dt.timedelta(seconds=first))
            .order_by(Alert.id)))
    climbs: List[Climb] = []
    for alert_id, created_at, reached in due:
        waited = (now - created_at).total_seconds()
        for rung, after in _rungs(settings):
            if rung > (reached or 0) and waited >= after:
                climb = _climb(sessions, alert_id, rung, after, now, settings)
                if climb is not None:
                    climbs.append(climb)
    return climbs
