"""The notifier interface: how alerts and other events reach staff and family.

Channels (Telegram, the staff console) plug in by registering a Notifier on the
hub; the dialogue only calls the hub and never knows who listens.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import List, Optional, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertNotice:
    """What staff and family are told when an emergency is raised."""

    alert_id: Optional[int]
    resident_id: Optional[int]
    resident_name: str
    text: str
    channel: str
    location: str
    created_at: dt.datetime
    family_member_ids: tuple = ()


class Notifier(Protocol):
    def alert_raised(self, notice: AlertNotice) -> None:
        """Deliver an alert; must not block for long and may raise on failure."""


class LoggingNotifier:
    """Writes alerts to the log, so an alert is visible even with no channel attached.

    Only ids: the log is not a place for names, phone or ID numbers, or what was said
    (staff read those on the console, where they are masked and access is audited).
    """

    def alert_raised(self, notice: AlertNotice) -> None:
        logger.warning(
            "ALERT %s resident=%s channel=%s family_notices=%d",
            notice.alert_id, notice.resident_id, notice.channel, len(notice.family_member_ids),
        )


class NotifierHub:
    """Fans a notice out to every registered notifier; one failing never stops the others."""

    def __init__(self, notifiers: Optional[List[Notifier]] = None) -> None:
        self._notifiers: List[Notifier] = list(notifiers or [])

    def register(self, notifier: Notifier) -> None:
        self._notifiers.append(notifier)

    def unregister(self, notifier: Notifier) -> None:
        self._notifiers = [n for n in self._notifiers if n is not notifier]

    def alert_raised(self, notice: AlertNotice) -> int:
        """Deliver to all; returns how many notifiers succeeded."""
        delivered = 0
        for notifier in list(self._notifiers):
            try:
                notifier.alert_raised(notice)
                delivered += 1
            except Exception:  # a broken channel must never hide the alert from others
                logger.exception("notifier %r failed for alert %s", notifier, notice.alert_id)
        return delivered


_hub: Optional[NotifierHub] = None


def hub() -> NotifierHub:
    """The process-wide hub, created on first use with the logging notifier."""
    global _hub
    if _hub is None:
        _hub = NotifierHub([LoggingNotifier()])
    return _hub
