"""What an idle home kiosk should start on its own: the daily check-in, a reminder that fell due, a new
message from the family. A cheap look every XIAONUAN_KIOSK_LOOK_EVERY seconds; the kiosk sends the payload
to the core (with the home kiosk's metadata and the channel secret, like any turn), and the action there
says it and records that it was said. Time only from the community's clock (frozen in tests).
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Dict, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.db.models import FamilyNote
from actions.reminders.store import due_to_say, fall_due
from bot.kernel.clock import utc_now
from bot.kernel.settings import Settings

logger = logging.getLogger(__name__)

REMINDER_PAYLOAD = "/reminder_due"
MESSAGE_PAYLOAD = "/family_message"
SAME_AGAIN_S = 60.0  # the core may have failed to record a say: the same thing is not sent again sooner


class HomeTimer:
    """`due()` gives the payload to send now, or None; the check-in timer (if any) goes first."""

    def __init__(self, settings: Settings, sessions: sessionmaker, checkin: object = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if settings.kiosk_resident_id is None:
            raise ValueError("reminders and family messages need a home kiosk (XIAONUAN_KIOSK_RESIDENT_ID)")
        self.settings, self.sessions, self.checkin = settings, sessions, checkin
        self.resident_id = settings.kiosk_resident_id
        self.monotonic = monotonic
        self._looked_at: Optional[float] = None
        self._sent: Dict[Tuple[str, int, int], float] = {}

    def look(self) -> Optional[Tuple[str, int, int]]:
        """(payload, row id, how many times said) of what is due now (reads the database)."""
        now = utc_now(self.settings)
        fall_due(self.sessions, self.settings, now, self.resident_id)
        with self.sessions() as session:
            due = due_to_say(session, self.resident_id, now, self.settings.reminder_miss_minutes)
            if due is not None:
                return REMINDER_PAYLOAD, due.occurrence_id, due.says
            note = session.scalar(select(FamilyNote.id).where(
                FamilyNote.resident_id == self.resident_id, FamilyNote.direction == "to_resident",
                FamilyNote.heard_at.is_(None)).order_by(FamilyNote.id).limit(1))
            return (MESSAGE_PAYLOAD, note, 0) if note is not None else None

    def due(self) -> Optional[str]:
        if self.checkin is not None:
            payload = self.checkin.due()  # type: ignore[attr-defined]
            if payload is not None:
                return payload
        tick = self.monotonic()
        if self._looked_at is not None and tick - self._looked_at < self.settings.kiosk_look_every_s:
            return None
        self._looked_at = tick
        try:
            found = self.look()
        except Exception:  # the database may be briefly away; the kiosk goes on and looks again
            logger.exception("could not look for reminders and messages")
            return None
        if found is None:
            return None
        sent = self._sent.get(found)
        if sent is not None and tick - sent < SAME_AGAIN_S:
            return None
        self._sent = {key: at for key, at in self._sent.items() if tick - at < SAME_AGAIN_S}
        self._sent[found] = tick
        return found[0]


def home_timer_for(settings: Settings) -> Optional[HomeTimer]:
    """A home kiosk's timer (check-in, reminders, messages); None for a community kiosk."""
    from voice.checkin_timer import timer_for

    if settings.kiosk_mode != "home" or settings.kiosk_resident_id is None:
        return None
    from actions.db.session import sessions_for

    return HomeTimer(settings, sessions_for(settings.database_url), timer_for(settings))
