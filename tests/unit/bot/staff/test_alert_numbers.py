"""The Numbers page's alert figures, per ISO week in the community's time zone, next to the TSA reference."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from actions.db.models import Alert
from tests.unit.bot.staff.console_helpers import staff_client, table_rows

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=SHANGHAI).astimezone(dt.timezone.utc).replace(tzinfo=None)


def _seed(sessions) -> None:
    """Known alerts: (local time raised, seconds to acknowledge or None, kind, closed_by)."""
    known = [
        # This week (Mon 2026-11-23): 00:30 local is still Sunday in UTC, but counts here.
        (dt.datetime(2026, 11, 23, 0, 30), 30, "fall", None),
        (dt.datetime(2026, 11, 23, 7, 0), 50, "medical", None),
        (dt.datetime(2026, 11, 23, 7, 10), 120, "help", None),
        (dt.datetime(2026, 11, 23, 7, 20), None, "help", None),  # nobody has acknowledged it
        (dt.datetime(2026, 11, 23, 7, 30), 900, "scam", None),  # a fraud warning: not counted
        (dt.datetime(2026, 11, 23, 7, 40), None, "help", "resident:4"),  # taken back before anyone answered
        # Last week (Mon 2026-11-16): Sunday 23:50 local belongs to it.
        (dt.datetime(2026, 11, 16, 9, 0), 10, "fall", None),
        (dt.datetime(2026, 11, 22, 23, 50), 70, "fall", None),
        # Outside the twelve weeks shown.
        (dt.datetime(2026, 8, 3, 9, 0), 10, "fall", None),
    ]
    with sessions.begin() as session:
        for number, (local, waited, kind, closed_by) in enumerate(known):
            raised = _utc(local)
            session.add(Alert(
                resident_id=1, sender_id=f"n{number}", channel="kiosk", text="救命", kind=kind, created_at=raised,
                status="resolved" if closed_by or waited else "open", closed_by=closed_by,
                acknowledged_at=raised + dt.timedelta(seconds=waited) if waited is not None else None))


def _weeks(html: str) -> dict:
    return {row[0]: row[1:] for row in table_rows(html) if row and row[0].startswith("第")}


def test_weekly_shares_and_median_against_the_tsa_reference(console, sessions) -> None:
    _seed(sessions)
    page = staff_client(console.url, sessions).get("/numbers")
    assert page.status_code == 200
    weeks = _weeks(page.text)
    assert len(weeks) == 12
    # alerts, ≤60 s, TSA, ≤180 s, TSA, median, not acknowledged
    assert weeks["第48周（11月23日起）"] == ["4", "50.0%", "97.5%", "75.0%", "99.0%", "50秒", "1"]
    assert weeks["第47周（11月16日起）"] == ["2", "50.0%", "97.5%", "100.0%", "99.0%", "40秒", "0"]
    assert weeks["第46周（11月9日起）"] == ["0", "—", "97.5%", "—", "99.0%", "—", "0"]
    assert "第37周（9月7日起）" in weeks and "第32周（8月3日起）" not in weeks
    assert "60秒内确认 97.5%，3分钟内确认 99.0%" in page.text
    # The charts draw the reference lines and mark the weeks under them.
    assert page.text.count('<line class="reference"') == 2
    assert 'class="bad"><title>第48周：50.0%</title>' in page.text
    assert "<title>第47周：100.0%</title>" in page.text and 'class="bad"><title>第47周：100.0%' not in page.text
    assert "<title>第46周：没有求助</title>" in page.text
    assert '<td class="bad">50.0%</td>' in page.text
