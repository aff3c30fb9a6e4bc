"""The care rounds in the background of `xiaonuan run`, once a minute: an unanswered daily check-in and a
silent home kiosk reach the staff desk and the family (`actions.checkin.rounds`, docs/safety.md).

A round that fails (the database briefly away) is logged and tried again a minute later.
"""
from __future__ import annotations

import logging
import threading
from typing import List, Optional

from sqlalchemy.orm import sessionmaker

from actions.checkin.rounds import checkin_round, inactivity_round
from actions.clock import local_now
from bot.settings import Settings

logger = logging.getLogger(__name__)
EVERY_S = 60.0


class CareWorker:
    def __init__(self, settings: Settings, sessions: sessionmaker, trackers: Optional[sessionmaker] = None,
                 every_s: float = EVERY_S) -> None:
        self.settings, self.sessions, self.trackers, self.every_s = settings, sessions, trackers, every_s
        self.failures = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def run_once(self) -> List[int]:
        """One round on the settings' clock; the ids of the alerts raised (logged as ids only)."""
        now = local_now(self.settings)
        raised: List[int] = []
        for name, round_ in (("check-in", checkin_round), ("inactivity", inactivity_round)):
            try:
                ids = round_(self.sessions, now, self.settings, self.trackers)
            except Exception:
                self.failures += 1
                logger.exception("the %s round failed; trying again in %.0f s", name, self.every_s)
                continue
            for alert_id in ids:
                logger.warning("ALERT %s raised by the %s round", alert_id, name)
            raised += ids
        return raised

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            self.run_once()

    def start(self) -> "CareWorker":
        self._thread = threading.Thread(target=self._loop, name="care", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
