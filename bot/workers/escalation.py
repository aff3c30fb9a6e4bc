"""Climbs the alert ladder in the background of `xiaonuan run`, every few seconds.

The work is `actions.safety.ladder.escalate`; this only calls it on the settings' clock and keeps going
when the database is briefly away. Two processes running it is safe (each rung is taken once).
"""
from __future__ import annotations

import logging
from typing import List

from sqlalchemy.orm import sessionmaker

from actions.safety.ladder import Climb, escalate
from bot.kernel.clock import utc_now
from bot.kernel.settings import Settings
from bot.workers.periodic import PeriodicWorker

logger = logging.getLogger(__name__)


class EscalationWorker(PeriodicWorker):
    name = "escalation"

    def __init__(self, settings: Settings, sessions: sessionmaker) -> None:
        super().__init__(settings.escalation_check_every_s)
        self.settings = settings
        self.sessions = sessions

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
