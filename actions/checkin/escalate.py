"""Telling staff and family that a home has gone quiet: an alert of its own kind, on the desk and to family.

It joins an alert already open for the resident (like `raise_or_join`), so one person never has two
alarms at once; a new one gets its own short family notice, written with it, and is announced to staff.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Optional

from sqlalchemy.orm import Session

from actions.db.models import Alert, AlertWord, Resident
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from actions.safety.records import Raised, open_alert

logger = logging.getLogger(__name__)

CHECK_IN = "check_in"
INACTIVE = "inactive"
CHANNEL = "kiosk"


def where(resident: Resident) -> str:
    return resident.address or "家中"


def raise_quiet_alert(session: Session, resident: Resident, kind: str, text: str, family_text: str,
                      now_utc: dt.datetime) -> Raised:
    """Write (or join) the alert in the caller's transaction; announce it after the commit."""
    sender = f"kiosk-home-{resident.id}"
    alert: Optional[Alert] = open_alert(session, resident.id, sender)
    family: tuple = ()
    if alert is not None:
        alert.repeats = (alert.repeats or 1) + 1
        alert.updated_at = now_utc
        session.add(AlertWord(alert_id=alert.id, text=text, kind=kind, said_at=now_utc))
        is_new = False
    else:
        alert = Alert(resident_id=resident.id, sender_id=sender, channel=CHANNEL, location=where(resident),
                      text=text, status="open", kind=kind, repeats=1, created_at=now_utc)
        session.add(alert)
        session.flush()
        family = tuple(linked_family_ids(session, resident.id))
        enqueue(session, [(f"family:{fid}", family_text) for fid in family], kind, f"alert:{alert.id}")
        is_new = True
    return Raised(alert_id=alert.id, resident_id=resident.id, resident_name=resident.name, kind=alert.kind,
                  location=alert.location, text=text, created_at=alert.created_at, is_new=is_new,
                  repeats=alert.repeats, acknowledged=alert.status == "acknowledged", family_member_ids=family)


def announce_quiet(raised: Raised) -> None:
    """Staff hear of it at once, like any alert (the notifier hub; the desk also reads the database)."""
    from actions.alerts import announce  # the dialogue's module: loaded only when there is something to say

    try:
        announce(raised, CHANNEL)
    except Exception:  # the alert is written; a broken notifier must not stop the round
        logger.exception("announcing alert %s failed", raised.alert_id)
