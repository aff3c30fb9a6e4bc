"""The one clock: every read of the time of day goes through here (a test checks). Cut-offs, "today" and
"tomorrow" all mean the community's local time."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.kernel.settings import Settings


def utcnow() -> dt.datetime:
    """The machine's real time as naive UTC: when a row is written (its stamp), never a business rule;
    rules ("today", cut-offs, "tomorrow") use local_now / utc_now, which a frozen XIAONUAN_NOW fixes."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def local_now(settings: Settings) -> dt.datetime:
    """Local wall-clock time without tzinfo (a frozen time from settings when one is set)."""
    if settings.fixed_now:
        return dt.datetime.fromisoformat(settings.fixed_now).replace(tzinfo=None)
    return dt.datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None)


def local_today(settings: Settings) -> dt.date:
    return local_now(settings).date()


def utc_now(settings: Settings) -> dt.datetime:
    """The settings' "now" as naive UTC, the way the database stores times (frozen with XIAONUAN_NOW)."""
    aware = local_now(settings).replace(tzinfo=ZoneInfo(settings.timezone))
    return aware.astimezone(dt.timezone.utc).replace(tzinfo=None)


def to_local(settings: Settings, stored: "dt.datetime | None") -> "dt.datetime | None":
    """A naive UTC time from the database as naive local time (None stays None)."""
    if stored is None:
        return None
    return stored.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
