"""Local time for console pages: the database keeps UTC, staff read and pick local days.

"Now" follows the settings (a frozen XIAONUAN_NOW in tests and demos), so
what the console writes agrees with what the rest of Xiaonuan calls today.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

from bot.kernel.clock import local_now
from bot.kernel.settings import Settings


def _zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def utc_now(settings: Settings) -> dt.datetime:
    """The settings' "now" as a naive UTC time, the way the database stores times."""
    aware = local_now(settings).replace(tzinfo=_zone(settings))
    return aware.astimezone(dt.timezone.utc).replace(tzinfo=None)


def to_local(settings: Settings, stored: Optional[dt.datetime]) -> Optional[dt.datetime]:
    """A naive UTC time from the database as naive local time (None stays None)."""
    if stored is None:
        return None
    return stored.replace(tzinfo=dt.timezone.utc).astimezone(_zone(settings)).replace(tzinfo=None)


def local_day_of_epoch(settings: Settings, seconds: float) -> dt.date:
    """The local day of an epoch time (Rasa's events.timestamp)."""
    return dt.datetime.fromtimestamp(seconds, _zone(settings)).date()


def utc_bounds(settings: Settings, first: dt.date, last: dt.date) -> Tuple[dt.datetime, dt.datetime]:
    """Naive UTC [start, end) covering the local days first..last."""
    zone = _zone(settings)
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
    return (start.astimezone(dt.timezone.utc).replace(tzinfo=None),
            end.astimezone(dt.timezone.utc).replace(tzinfo=None))
