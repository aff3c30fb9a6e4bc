"""The round that notices devices gone silent, on a thread of the device door's process."""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import List, Optional

from sqlalchemy.orm import sessionmaker

from actions.devices.silence import tell_silent_devices
from bot.kernel.clock import utc_now
from bot.kernel.settings import Settings

logger = logging.getLogger(__name__)


class SilenceWatcher:
    """Runs `tell_silent_devices` every `settings.device_check_every_s`; a failed round is tried again."""

    def __init__(self, settings: Settings, sessions: sessionmaker) -> None:
        self.settings = settings
        self.sessions = sessions
        self.rounds = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def run_once(self, now_utc: Optional[dt.datetime] = None) -> List[int]:
        """One round at `now_utc` (the settings' clock when None); the ids of devices staff were told of."""
        try:
            told = tell_silent_devices(self.sessions, self.settings, now_utc or utc_now(self.settings))
        except Exception as exc:  # the database may be briefly away; the next round tries again
            logger.error("device silence round failed (%s); trying again at the next round", type(exc).__name__)
            return []
        self.rounds += 1
        if told:
            logger.warning("devices silent, staff told: %s", ", ".join(map(str, told)))
        return told

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.device_check_every_s):
            self.run_once()

    def start(self) -> "SilenceWatcher":
        self._thread = threading.Thread(target=self._loop, name="device-silence", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
