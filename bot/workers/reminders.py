"""The reminder round in the background of `xiaonuan run`, every few seconds: reminders fall due (so a
switched-off kiosk cannot swallow them) and those not confirmed in time reach the relatives through the
outbox (`actions.reminders.rounds`). Two processes running it is safe (each miss is taken once)."""
from __future__ import annotations

import logging
from typing import List

from sqlalchemy.orm import sessionmaker

from actions.reminders.rounds import Missed, reminder_round
from bot.kernel.clock import utc_now
from bot.kernel.settings import Settings
from bot.workers.periodic import PeriodicWorker

logger = logging.getLogger(__name__)
EVERY_S = 15.0


class ReminderWorker(PeriodicWorker):
    name = "reminders"

    def __init__(self, settings: Settings, sessions: sessionmaker, every_s: float = EVERY_S) -> None:
        super().__init__(every_s, first_delay_s=1.0)
        self.settings, self.sessions = settings, sessions

    def run_once(self) -> List[Missed]:
        try:
            missed = reminder_round(self.sessions, self.settings, utc_now(self.settings))
        except Exception:  # the database may be briefly away; the next round tries again
            self.failures += 1
            logger.exception("the reminder round failed; trying again in %.0f s", self.interval_s)
            return []
        for miss in missed:  # ids only: what the reminder is about stays in the database
            logger.warning("REMINDER %s missed (resident %s, relatives told %d)", miss.occurrence_id,
                           miss.resident_id, miss.told)
        return missed
