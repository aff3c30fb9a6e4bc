"""The alert's record: raised once per resident, joined by repeats and follow-up words, taken back, asked about.

One open alert per resident (or per conversation when nobody is identified)
absorbs every repeat: the count goes up and the words are added, so staff see
"×3" and one family notice is sent, not eight.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import runtime
from actions.audit import record
from actions.db.models import Alert, AlertWord, Resident
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from bot.kernel.clock import utc_now

MAX_STORED_TEXT = 2000
OPEN = ("open", "acknowledged")


def utcnow() -> dt.datetime:
    """Now in UTC on the community's clock (frozen in tests and demos), as the database keeps it."""
    return utc_now(runtime.settings())
# How long after an alert a relative's worried question is about that alert.
STATUS_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Raised:
    """What happened to an emergency's words: a new alert, or joined to the one already open."""

    alert_id: int
    resident_id: Optional[int]
    resident_name: str
    kind: str
    location: str
    text: str
    created_at: dt.datetime
    is_new: bool
    repeats: int
    acknowledged: bool
    family_member_ids: tuple = ()


def family_alert_text(name: str, location: str, said: str, when: dt.datetime) -> str:
    """The message a relative's phone shows: who, where, what was said, when."""
    quoted = said if len(said) <= 200 else said[:200] + "…"
    return (f"【紧急求助】{name}在{location}求助（{when.hour}:{when.minute:02d}）。"
            f"说的是：“{quoted}”。社区工作人员已经收到，正在处理。")


def family_closed_text(name: str, when: dt.datetime) -> str:
    """One short notice when the resident takes the alert back."""
    return f"【已解除】{name}{when.hour}:{when.minute:02d}的求助是误报，本人说没事了。社区工作人员已知道。"


def open_alert(session: Session, resident_id: Optional[int], sender_id: str) -> Optional[Alert]:
    """The alert still open for this resident (or, for nobody identified, this conversation's, which may have
    been put on a resident's record since: actions/safety/who.py)."""
    query = select(Alert).where(Alert.status.in_(OPEN))
    query = query.where(Alert.resident_id == resident_id) if resident_id is not None else \
        query.where(Alert.sender_id == sender_id)
    return session.scalars(query.order_by(Alert.id.desc()).limit(1)).first()


def raise_or_join(resident_id: Optional[int], sender_id: str, channel: str, text: str, kind: str,
                  location: str, local_time: dt.datetime, raiser_family_id: Optional[int]) -> Raised:
    """Write a new alert (and queue family notices), or add these words to the open one."""
    text = text[:MAX_STORED_TEXT]
    with runtime.sessions().begin() as session:
        resident = session.get(Resident, resident_id) if resident_id is not None else None
        rid = resident.id if resident else None
        alert = open_alert(session, rid, sender_id)
        if alert is not None:
            alert.repeats = (alert.repeats or 1) + 1
            alert.updated_at = utcnow()
            if alert.kind == "help" and kind != "help":
                alert.kind = kind
            session.add(AlertWord(alert_id=alert.id, text=text, kind=kind, said_at=utcnow()))
            family: Tuple[int, ...] = ()
            is_new = False
        else:
            alert = Alert(resident_id=rid, sender_id=sender_id, channel=channel, location=location, text=text,
                          status="open", kind=kind, repeats=1, created_at=utcnow())
            session.add(alert)
            session.flush()
            family = tuple(fid for fid in linked_family_ids(session, rid) if fid != raiser_family_id) if rid else ()
            enqueue(session, [(f"family:{fid}", family_alert_text(resident.name, location, text, local_time))
                              for fid in family], "emergency", f"alert:{alert.id}")
            is_new = True
        raised = Raised(alert_id=alert.id, resident_id=rid, resident_name=resident.name if resident else "未登记居民",
                        kind=alert.kind, location=alert.location, text=text, created_at=alert.created_at,
                        is_new=is_new, repeats=alert.repeats, acknowledged=alert.status == "acknowledged",
                        family_member_ids=family)
    record(actor=f"resident:{rid}" if rid else "anonymous",
           action="alert_raised" if raised.is_new else "alert_repeated", target=f"alert:{raised.alert_id}",
           detail=f"kind={raised.kind} repeats={raised.repeats}")
    return raised


def add_words(alert_id: int, text: str, kind: Optional[str], repeat: bool = False) -> None:
    """Follow-up words join the alert's record, where staff read them live (a repeated cry counts too)."""
    with runtime.sessions().begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            return
        session.add(AlertWord(alert_id=alert_id, text=text[:MAX_STORED_TEXT], kind=kind or "", said_at=utcnow()))
        alert.updated_at = utcnow()
        if repeat:
            alert.repeats = (alert.repeats or 1) + 1
        if alert.kind == "help" and kind:
            alert.kind = kind


def set_place(alert_id: int, place: str) -> None:
    """The person said where they are: that is where staff go."""
    with runtime.sessions().begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is not None:
            alert.location = place[:200]
            session.add(AlertWord(alert_id=alert_id, text=f"（地点）{place[:200]}", kind="place"))
            alert.updated_at = utcnow()


def close_as_false_alarm(alert_id: int, actor: str, local_time: dt.datetime) -> bool:
    """The resident took it back after confirming: closed, staff see why, family get one short notice."""
    with runtime.sessions().begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.status not in OPEN:
            return False
        now = utcnow()
        alert.status, alert.outcome, alert.closed_by, alert.resolved_at = "resolved", "false_alarm", actor, now
        alert.note = (alert.note + "\n" + f"[{local_time:%m-%d %H:%M} 本人] 说没事了，误报，已确认。").strip()
        session.add(AlertWord(alert_id=alert_id, text="（本人确认没事，误报）", kind="retracted"))
        resident = session.get(Resident, alert.resident_id) if alert.resident_id else None
        if resident is not None:
            enqueue(session, [(f"family:{fid}", family_closed_text(resident.name, local_time))
                              for fid in linked_family_ids(session, resident.id)],
                    "emergency_closed", f"alert-closed:{alert_id}")
    record(actor=actor, action="alert_false_alarm", target=f"alert:{alert_id}", detail="retracted by the resident")
    return True


@dataclass(frozen=True)
class Status:
    """What a relative hears about the latest alert."""

    alert_id: int
    status: str
    created_at: dt.datetime
    acknowledged_at: Optional[dt.datetime]
    acknowledged_by: Optional[str]
    note: str
    outcome: Optional[str]


def latest_status(resident_id: int, now_utc: dt.datetime) -> Optional[Status]:
    """The resident's latest alert if it is open or less than a day old."""
    with runtime.sessions()() as session:
        alert = session.scalars(select(Alert).where(Alert.resident_id == resident_id)
                                .order_by(Alert.id.desc()).limit(1)).first()
        if alert is None or (alert.status not in OPEN and alert.created_at < now_utc - STATUS_WINDOW):
            return None
        return Status(alert.id, alert.status, alert.created_at, alert.acknowledged_at, alert.acknowledged_by,
                      alert.note, alert.outcome)
