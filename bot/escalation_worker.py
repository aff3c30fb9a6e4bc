"""Climbs the alert ladder in the background of `xiaonuan run`, every few seconds.

The work is `actions.safety.ladder.escalate`; this only calls it on the settings' clock and keeps going
when the database is briefly away. Two processes running it is safe (each rung is taken once).
"""
from __future__ import annotations

import logging
import threading
from typing import List, Optional

from sqlalchemy.orm import sessionmaker

from actions.clock import utc_now
from actions.safety.ladder import Climb, escalate
from bot.settings import Settings

logger = logging.getLogger(__name__)


class EscalationWorker:
    def __init__(self, settings: Settings, sessions: sessionmaker) -> None:
        self.settings = settings
        self.sessions = sessions
        self.interval_s = settings.escalation_check_every_s
        self.failures = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def run_once(self) -> List[Climb]:
        try:
            climbs = escalate(self.sessions, utc_now(self.settings), self.settings)
        except Exception:  # the database may be briefly unavailable; the next round tries again
            self.failures += 1
            logger.exception("climbing the alert ladder failed; trying again in %.0f s", self.interval_s)
            return []
        for climb in climbs:  # ids only, like the alert log line: names and words stay on the console
            logger.warning("ALERT %s escalated to rung %s (family told %d, staff called %d)",
                           climb.alert_id, climb.rung, climb.family_told, climb.staff_called)
        return climbs

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.run_once()

    def start(self) -> "EscalationWorker":
        self._thread = threading.Thread(target=self._loop, name="escalation", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
