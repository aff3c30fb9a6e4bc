"""How fast alerts were answered, per ISO week, against the telecare reference (TSA: 97.5% of alarm calls
answered within 60 s, 99% within 180 s).

Counted: emergencies raised in the week (local time), except a fraud warning (not an alarm call) and an
alert the resident took back before anyone acknowledged it (the caller "hung up"). An alert never
acknowledged counts as answered within neither limit; the median is over the acknowledged ones.
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import Alert
from bot.kernel.settings import Settings
from bot.staff.localtime import to_local, utc_bounds

TSA_60S, TSA_180S = 0.975, 0.99


@dataclass(frozen=True)
class AlertWeek:
    monday: dt.date
    alerts: int
    within_60s: int
    within_180s: int
    unanswered: int
    median_s: Optional[float]

    @property
    def label(self) -> str:
        return f"第{self.monday.isocalendar()[1]}周"

    @property
    def share_60s(self) -> Optional[float]:
        return self.within_60s / self.alerts if self.alerts else None

    @property
    def share_180s(self) -> Optional[float]:
        return self.within_180s / self.alerts if self.alerts else None

    @property
    def below_60s(self) -> bool:
        return self.share_60s is not None and self.share_60s < TSA_60S

    @property
    def below_180s(self) -> bool:
        return self.share_180s is not None and self.share_180s < TSA_180S


def _counted(alert: Alert) -> bool:
    taken_back = alert.acknowledged_at is None and (alert.closed_by or "").startswith("resident")
    return alert.kind != "scam" and not taken_back


def weekly(session: Session, settings: Settings, today: dt.date, weeks: int) -> List[AlertWeek]:
    """The last `weeks` ISO weeks up to the one holding `today` (local), the oldest first."""
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start, end = utc_bounds(settings, first_monday, first_monday + dt.timedelta(weeks=weeks, days=-1))
    alerts = session.scalars(select(Alert).where(Alert.created_at >= start, Alert.created_at < end))
    waits: List[List[Optional[float]]] = [[] for _ in range(weeks)]
    for alert in alerts:
        if not _counted(alert):
            continue
        local = to_local(settings, alert.created_at)
        index = (local.date() - first_monday).days // 7
        waited = (alert.acknowledged_at - alert.created_at).total_seconds() if alert.acknowledged_at else None
        waits[index].append(max(0.0, waited) if waited is not None else None)
    rows = []
    for index, week in enumerate(waits):
        answered = [w for w in week if w is not None]
        rows.append(AlertWeek(first_monday + dt.timedelta(weeks=index), len(week),
                              sum(1 for w in answered if w <= 60), sum(1 for w in answered if w <= 180),
                              len(week) - len(answered), statistics.median(answered) if answered else None))
    return rows


def seconds_text(value: Optional[float]) -> str:
    """"45秒", "2分05秒", "—" for no acknowledged alert."""
    if value is None:
        return "—"
    whole = int(round(value))
    return f"{whole}秒" if whole < 60 else f"{whole // 60}分{whole % 60:02d}秒"


def share_text(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
