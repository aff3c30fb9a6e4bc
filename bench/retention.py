"""One retention round (what `make run` does daily) on a district's worth of data.

Writes a throwaway SQLite database with N conversations (default 10,000) spread over the 30 days
before the frozen clock (the console benchmark's writer) and as many delivered outbox notices
with their sent keys, brings the console's summaries up to date, then times `apply_retention`
with a 15-day retention period, which deletes about half of everything. Prints a markdown table
and appends it to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section  # noqa: E402
from bench.console_conversations import DAYS, FROZEN_NOW, district_database, write_conversations  # noqa: E402

RETENTION_DAYS = 15


def write_notices(sessions, count: int, now: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """`count` delivered family notices and their sent keys, spread like the conversations (UTC)."""
    from actions.db.models import ChannelDelivery, OutboxMessage

    utc_now = now - dt.timedelta(hours=8)  # the frozen clock is Shanghai time
    step = dt.timedelta(days=DAYS) / count
    with sessions.begin() as session:
        for index in range(count):
            at = utc_now - step * index
            key = f"bench-notice-{index}"
            session.add(OutboxMessage(recipient="family:1", kind="meal_booked", text="您母亲订了明天的午饭。",
                                      key=key, created_at=at, next_attempt_at=at, delivered_at=at, attempts=1))
            session.add(ChannelDelivery(key=key, sent_at=at))


def main() -> None:
    from bot.kernel.settings import load_settings
    from bot.ops.lifecycle.retention_worker import apply_retention
    from bot.staff.summaries import refresh_summaries

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    now = dt.datetime.fromisoformat(FROZEN_NOW)
    with tempfile.TemporaryDirectory() as tmp:
        url, sessions = district_database(Path(tmp), now)
        events = write_conversations(url, args.conversations, 0, now, seed=11)
        write_notices(sessions, args.conversations, now)
        refresh_summaries(sessions)  # the console has read everything, as it would have
        settings = load_settings().with_overrides(database_url=url, fixed_now=FROZEN_NOW,
                                                  retention_days=RETENTION_DAYS)
        began = time.perf_counter()
        done = apply_retention(settings, sessions, actor="bench")
        seconds = time.perf_counter() - began
        again = time.perf_counter()
        second = apply_retention(settings, sessions, actor="bench")
        idle_seconds = time.perf_counter() - again
        size_mib = Path(tmp, "bench.db").stat().st_size / 2 ** 20
    counts = done.conversations.counts() if done.conversations else {}
    lines = [f"{args.conversations:,} conversations ({events:,} events) over {DAYS} days and "
             f"{args.conversations:,} delivered notices, SQLite ({size_mib:.0f} MiB); retention {RETENTION_DAYS} days.",
             "", "| round | seconds | conversations deleted | events deleted | notices deleted | sent keys deleted |",
             "|---|---|---|---|---|---|",
             f"| first | {seconds:.2f} | {counts.get('conversations_deleted', 0):,} | {counts.get('events', 0):,} | "
             f"{done.records['outbox_delivered']:,} | {done.records['channel_deliveries']:,} |",
             f"| next (nothing to do) | {idle_seconds:.2f} | "
             f"{second.conversations.counts()['conversations_deleted'] if second.conversations else 0} | "
             f"{second.conversations.counts()['events'] if second.conversations else 0} | "
             f"{second.records['outbox_delivered']} | {second.records['channel_deliveries']} |"]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Retention round (bench/retention.py)", lines)


if __name__ == "__main__":
    main()
