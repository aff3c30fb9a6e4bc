"""Every read of the time of day goes through the one clock (bot/kernel/clock.py): a module that asks the
machine for the date or time itself escapes the frozen clock of tests and demos (XIAONUAN_NOW)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK = ROOT / "bot" / "kernel" / "clock.py"
# date.today(), datetime.now(...), datetime.today(), datetime.utcnow(), time.localtime(), time.strftime(
READS = re.compile(r"\b(date|datetime)\.(today|now|utcnow)\(|\btime\.(localtime|gmtime|strftime|ctime)\(")


def test_only_the_clock_reads_the_time_of_day() -> None:
    found = []
    for package in ("bot", "actions", "voice"):
        for path in (ROOT / package).rglob("*.py"):
            if path == CLOCK:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if READS.search(line.split("#")[0]):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_check_catches_a_direct_read() -> None:
    for line in ("today = dt.date.today()", "now = datetime.now(tz)", "stamp = dt.datetime.utcnow()",
                 "t = time.localtime()"):
        assert READS.search(line), line
    for line in ("elapsed = time.monotonic()", "now = local_now(settings)", "at = utcnow()"):
        assert not READS.search(line), line
