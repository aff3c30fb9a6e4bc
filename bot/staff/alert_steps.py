"""The steps staff take on an alert: acknowledge (我来处理), arrive (已到现场), resolve with an outcome.

Each step is one transaction: a conditional UPDATE on the alert's status (two staff pressing at once
move it once), the note line in the community's local time, the audit entry, and, when resolved, the
follow-up visit (回访) for the next local day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, Optional

from sqlalchemy import update

from actions.db.models import Alert, AuditLog, FollowUpVisit
from bot.kernel.clock import local_today
from bot.staff.app import Console
from bot.staff.localtime import to_local, utc_now

# What staff pick when they close an alert; stored in alerts.outcome.
OUTCOMES: Dict[str, str] = {"helped_home": "上门帮助，在家处理好了", "hospital": "送医院", "family": "家属接手照顾",
                            "false_alarm": "误报", "other": "其他"}
NO_NOTE = "处理完请写一句说明（怎么处理的）。"
NO_OUTCOME = "请选择处理结果（上门帮助、送医院、家属接手、误报或其他）。"
STALE = "这条求助刚刚被别人处理过了（或者这一步已经做过），请看一下现在的状态。"
DONE = {"acknowledge": "已记下：您来处理。", "arrive": "已记下：已到现场。", "resolve": "已处理完，明天的回访已放进今日工作。",
        "resolve_no_visit": "已处理完。", "stale": STALE}
AUDITED = {"acknowledge": "alert_acknowledged", "arrive": "alert_arrived", "resolve": "alert_resolved"}


@dataclass(frozen=True)
class StepForm:
    """What the staff member sent with a step."""

    note: str = ""
    outcome: str = ""
    follow_up: bool = False  # asked for a follow-up visit even after a false alarm


def refusal(step: str, form: StepForm) -> Optional[str]:
    """Why a resolution cannot be written as sent (None when it can)."""
    if step != "resolve":
        return None
    if not form.note.strip():
        return NO_NOTE
    if form.outcome not in OUTCOMES:
        return NO_OUTCOME
    return None


def _line(console: Console, now: dt.datetime, name: str, what: str, note: str) -> str:
    local = to_local(console.settings, now)
    return f"[{local:%m-%d %H:%M} {name}{what}] {note.strip()}".strip()


def take_step(console: Console, alert_id: int, step: str, form: StepForm, actor: str, name: str) -> str:
    """Apply the step; returns the message key of DONE ("stale" when it no longer applied, "missing" for no alert)."""
    now = utc_now(console.settings)
    who = f"{actor} {name}"
    with console.sessions.begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            return "missing"
        if alert.status == "resolved":
            return "stale"
        values: dict = {}
        if step == "acknowledge":
            if alert.status != "open":
                return "stale"
            values.update(status="acknowledged", acknowledged_at=now, acknowledged_by=who)
            what = "确认"
        elif step == "arrive":
            if alert.arrived_at is not None:
                return "stale"
            values.update(arrived_at=now, arrived_by=who)
            if alert.status == "open":  # on the spot before anyone pressed 我来处理: that answers it too
                values.update(status="acknowledged", acknowledged_at=now, acknowledged_by=who)
            what = "已到现场"
        else:
            values.update(status="resolved", resolved_at=now, resolved_by=who, outcome=form.outcome)
            if alert.acknowledged_at is None:
                values.update(acknowledged_at=now, acknowledged_by=who)
            what = f"处理完·{OUTCOMES[form.outcome]}"
        values["note"] = (alert.note + "\n" + _line(console, now, name, what, form.note)).strip()
        query = update(Alert).where(Alert.id == alert_id, Alert.status == alert.status)
        if step == "arrive":  # two staff arriving together: the first one is written
            query = query.where(Alert.arrived_at.is_(None))
        changed = session.execute(query.values(**values).execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            return "stale"
        detail = form.note[:1800] + (f" outcome={form.outcome}" if step == "resolve" else "")
        session.add(AuditLog(actor=actor, action=AUDITED[step], target=f"alert:{alert_id}", detail=detail.strip()))
        if step != "resolve":
            return step
        if form.outcome == "false_alarm" and not form.follow_up:
            return "resolve_no_visit"
        session.add(FollowUpVisit(alert_id=alert_id, resident_id=alert.resident_id, created_by=actor,
                                  due_day=local_today(console.settings) + dt.timedelta(days=1)))
        session.add(AuditLog(actor=actor, action="follow_up_planned", target=f"alert:{alert_id}"))
        return "resolve"
