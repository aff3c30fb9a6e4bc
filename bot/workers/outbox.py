"""Delivers the outbox in the background: notices reach residents' inboxes (in `xiaonuan run`) and
family members' chats (in the Telegram process) within a second, and wait when a channel is down."""
from __future__ import annotations

import logging
import threading
from typing import Dict, Optional

from sqlalchemy.orm import sessionmaker

from actions.inbox import ResidentInbox
from actions.outbox import Receiver, deliver_pending

logger = logging.getLogger(__name__)


def default_receivers(sessions: sessionmaker) -> Dict[str, Receiver]:
    """Residents hear their notices at the kiosk; family receivers come with their channel."""
    return {"resident": ResidentInbox(sessions)}


class OutboxWorker:
    def __init__(self, sessions: sessionmaker, receivers: Dict[str, Receiver], interval_s: float = 0.5,
                 retry_base_s: float = 2.0) -> None:
        self.sessions = sessions
        self.receivers = receivers
        self.interval_s = interval_s
        self.retry_base_s = retry_base_s
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def run_once(self) -> int:
        try:
            return deliver_pending(self.sessions, self.receivers, retry_base_s=self.retry_base_s)
        except Exception:  # the database may be briefly unavailable; try again next round
            logger.exception("outbox delivery failed")
            return 0

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.run_once()

    def start(self) -> "OutboxWorker":
        self._thread = threading.Thread(target=self._loop, name="outbox-" + "-".join(self.receivers), daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
