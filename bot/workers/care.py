"""The care rounds in the background of `xiaonuan run`, once a minute: an unanswered daily check-in and a
silent home kiosk reach the staff desk and the family (`actions.checkin.rounds`, docs/safety.md).

A round that fails (the database briefly away) is logged and tried again a minute later.
"""
from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy.orm import sessionmaker

from actions.activities.store import remind_tomorrow
from actions.checkin.rounds import checkin_round, inactivity_round
from actions.daily_word import daily_word_round
from bot.kernel.clock import local_now, utc_now
from bot.kernel.settings import Settings
from bot.workers.periodic import PeriodicWorker

logger = logging.getLogger(__name__)
EVERY_S = 60.0


class CareWorker(PeriodicWorker):
    name = "care"

    def __init__(self, settings: Settings, sessions: sessionmaker, trackers: Optional[sessionmaker] = None,
                 every_s: float = EVERY_S) -> None:
        super().__init__(every_s)
        self.settings, self.sessions, self.trackers = settings, sessions, trackers

    def run_once(self) -> List[int]:
        """One round on the settings' clock; the ids of the alerts raised (logged as ids only)."""
        now = local_now(self.settings)
        raised: List[int] = []
        for name, round_ in (("check-in", checkin_round), ("inactivity", inactivity_round)):
            try:
                ids = round_(self.sessions, now, self.settings, self.trackers)
            except Exception:
                self.failures += 1
                logger.exception("the %s round failed; trying again in %.0f s", name, self.interval_s)
                continue
            for alert_id in ids:
                logger.warning("ALERT %s raised by the %s round", alert_id, name)
            raised += ids
        self._community_rounds(now)
        return raised

    def _community_rounds(self, now) -> None:  # type: ignore[no-untyped-def]
        """The activities' reminders the day before and each relative's daily word (issue 19)."""
        offset = now - utc_now(self.settings)
        for name, round_ in (("activity reminder", lambda: remind_tomorrow(self.sessions, now)),
                             ("daily word", lambda: daily_word_round(self.sessions, now, offset))):
            try:
                round_()
            except Exception:
                self.failures += 1
                logger.exception("the %s round failed; trying again in %.0f s", name, self.interval_s)
