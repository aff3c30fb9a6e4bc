"""The home kiosk's side of the daily check-in: a cheap look each minute, and the question sent when due.

The kiosk asks the core with its own payload ("/daily_check_in", the home kiosk's metadata), so the
question, its record and the answer all live in the dialogue; this only decides *when*, on the
community's clock (frozen in tests). Escalation is not done here: `xiaonuan run`'s care round does it,
so a kiosk that is switched off cannot swallow it.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Callable, Optional

from sqlalchemy.orm import sessionmaker

from actions.checkin.activity import last_interactions
from actions.checkin.plan import plan_for
from actions.checkin.schedule import Step, next_step
from actions.checkin.store import today_of, todays
from bot.kernel.clock import local_now
from bot.kernel.settings import Settings

logger = logging.getLogger(__name__)

CHECK_IN_PAYLOAD = "/daily_check_in"
LOOK_EVERY_S = 60.0


class CheckinTimer:
    """Says when a home kiosk should ask its resident "今天身体怎么样？" (first try or the gentle second)."""

    def __init__(self, settings: Settings, sessions: sessionmaker, trackers: Optional[sessionmaker] = None,
                 clock: Optional[Callable[[], dt.datetime]] = None, monotonic: Callable[[], float] = time.monotonic,
                 look_every_s: float = LOOK_EVERY_S) -> None:
        if settings.kiosk_resident_id is None:
            raise ValueError("the check-in needs a home kiosk (XIAONUAN_KIOSK_RESIDENT_ID)")
        self.settings, self.sessions, self.trackers = settings, sessions, trackers or sessions
        self.resident_id = settings.kiosk_resident_id
        self.clock = clock or (lambda: local_now(settings))
        self.monotonic, self.look_every_s = monotonic, look_every_s
        self._looked_at: Optional[float] = None
        self._sent: Optional[dt.datetime] = None  # local time of the last question sent, asked or not

    def step(self) -> Step:
        """What is due now (reads the database; call it at most once a minute, `due` does that)."""
        now = self.clock()
        now_utc = now.replace(tzinfo=_zone(self.settings)).astimezone(dt.timezone.utc).replace(tzinfo=None)
        with self.sessions() as session:
            plan = plan_for(session, self.resident_id, self.settings.checkin_time)
            today = today_of(todays(session, self.resident_id, now.date()))
        seen = last_interactions(self.trackers, [self.resident_id]).get(self.resident_id) if today else None
        return next_step(plan, today, seen, now, now_utc, self.settings.checkin_retry_minutes, self.settings.daytime)

    def due(self) -> Optional[str]:
        """The payload to send now, or None. Looks once a minute; never sends twice within the retry span
        (the core may have failed to record a try: then it is asked again later, not every minute)."""
        tick = self.monotonic()
        if self._looked_at is not None and tick - self._looked_at < self.look_every_s:
            return None
        self._looked_at = tick
        now = self.clock()
        if self._sent is not None and now - self._sent < dt.timedelta(minutes=self.settings.checkin_retry_minutes):
            return None
        try:
            step = self.step()
        except Exception:  # the database may be briefly away; the kiosk goes on and looks again
            logger.exception("could not look at the daily check-in")
            return None
        if step in (Step.ASK, Step.AGAIN):
            self._sent = now
            return CHECK_IN_PAYLOAD
        return None


def _zone(settings: Settings) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.timezone)


def timer_for(settings: Settings) -> Optional[CheckinTimer]:
    """The timer of a home kiosk (None for a community kiosk, which has nobody to ask)."""
    if settings.kiosk_mode != "home" or settings.kiosk_resident_id is None:
        return None
    from actions.db.session import sessions_for

    trackers = sessions_for(settings.trackers_url) if settings.trackers_url != settings.database_url else None
    return CheckinTimer(settings, sessions_for(settings.database_url), trackers)
