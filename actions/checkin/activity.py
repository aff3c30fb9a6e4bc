"""When a resident last spoke to their home kiosk, read from Rasa's tracker store (the `events` table).

Every user turn is there with its time, whatever channel code sent it, so no second record is kept.
The kiosk's own check-in question ("/daily_check_in") is not the resident speaking and is left out.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, Optional

from sqlalchemy import and_, func, inspect, or_, select
from sqlalchemy.orm import sessionmaker

from actions.db.rasa_events import EVENTS

HOME_PREFIX = "kiosk-home-"
CHECK_IN_INTENT = "daily_check_in"


def home_sender(resident_id: int) -> str:
    return f"{HOME_PREFIX}{resident_id}"


def resident_of(sender_id: str) -> Optional[int]:
    """"kiosk-home-12" (or "kiosk-home-12-…") → 12."""
    digits = ""
    for char in sender_id[len(HOME_PREFIX):] if sender_id.startswith(HOME_PREFIX) else "":
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).replace(tzinfo=None)


def last_interactions(trackers: sessionmaker, resident_ids: Optional[Iterable[int]] = None) -> Dict[int, dt.datetime]:
    """Resident id → the last time (naive UTC) they said or pressed something at their home kiosk.

    Only residents whose home kiosk has a conversation appear: that is how a home kiosk is known.
    """
    wanted = None if resident_ids is None else {home_sender(rid) for rid in resident_ids}
    with trackers() as session:
        if not inspect(session.connection()).has_table("events"):
            return {}
        sender = EVENTS.c.sender_id.in_(sorted(wanted)) if wanted is not None else \
            EVENTS.c.sender_id.like(HOME_PREFIX + "%")
        rows = session.execute(
            select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp))
            .where(and_(sender, EVENTS.c.type_name == "user",
                        or_(EVENTS.c.intent_name.is_(None), EVENTS.c.intent_name != CHECK_IN_INTENT)))
            .group_by(EVENTS.c.sender_id)).all()
    found: Dict[int, dt.datetime] = {}
    for sender_id, timestamp in rows:
        rid = resident_of(sender_id)
        if rid is not None and timestamp is not None:
            seen = _utc(timestamp)
            found[rid] = max(seen, found.get(rid, seen))
    return found
