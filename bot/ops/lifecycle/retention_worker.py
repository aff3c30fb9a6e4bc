"""Applying the retention period on a schedule, inside `xiaonuan run`, so nobody has to remember cron.

Each round deletes conversations older than the retention period (when Rasa keeps them in
the application database) and prunes the working records (`housekeeping`). A round that
fails, say because the database is briefly unavailable, is logged and tried again at the
next round; the assistant goes on either way.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

from sqlalchemy.orm import sessionmaker

from bot.kernel.clock import local_now
from bot.kernel.settings import Settings
from bot.ops.lifecycle.housekeeping import prune_records
from bot.ops.lifecycle.purge import PurgeReport, purge_conversations
from bot.workers.periodic import PeriodicWorker

logger = logging.getLogger(__name__)
FIRST_ROUND_AFTER_S = 60.0  # not while the servers are starting


@dataclass
class RetentionRound:
    conversations: Optional[PurgeReport]  # None when the conversations live in another database
    records: Dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = []
        if self.conversations is None:
            parts.append("conversations are kept in another database (XIAONUAN_TRACKER_STORE_URL): not purged here")
        else:
            counts = self.conversations.counts()
            parts.append(f"{counts['conversations_deleted']} conversations deleted whole, "
                         f"{counts['conversations_trimmed']} trimmed, {counts['events']} events")
        parts.append(", ".join(f"{name} {value}" for name, value in self.records.items()))
        return "; ".join(parts)


def apply_retention(settings: Settings, sessions: sessionmaker, actor: str = "system:schedule") -> RetentionRound:
    """One round: old conversations, then old working records."""
    now = local_now(settings)
    conversations = None
    if settings.trackers_url == settings.database_url:
        conversations = purge_conversations(sessions, now, settings.retention_days, settings.timezone, actor=actor)
    records = prune_records(sessions, now, settings.retention_days, settings.timezone, actor=actor)
    return RetentionRound(conversations, records)


class RetentionWorker(PeriodicWorker):
    """Runs `apply_retention` a minute after start (sooner if the interval is shorter), then every
    `settings.purge_every_hours`."""

    name = "retention"

    def __init__(self, settings: Settings, sessions: sessionmaker,
                 on_round: Optional[Callable[[RetentionRound], None]] = None) -> None:
        interval_s = settings.purge_every_hours * 3600
        super().__init__(interval_s, first_delay_s=min(FIRST_ROUND_AFTER_S, interval_s))
        self.settings = settings
        self.sessions = sessions
        self.on_round = on_round
        self.rounds = 0

    def run_once(self) -> Optional[RetentionRound]:
        try:
            done = apply_retention(self.settings, self.sessions)
        except Exception:  # the database may be briefly unavailable; the next round tries again
            self.failures += 1
            logger.exception("applying the retention period failed; trying again at the next round")
            return None
        self.rounds += 1
        logger.info("retention (%d days): %s", self.settings.retention_days, done.summary())
        if self.on_round is not None:
            self.on_round(done)
        return done
