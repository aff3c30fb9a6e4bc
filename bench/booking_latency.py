"""Latency of meal-booking turns over HTTP through the real Rasa server and action server.

Each conversation says everything at once ("帮我订…"), which runs the form and
reads back the price (the read-back turn), then "对", which writes the booking
in one transaction (the booking turn). Afterwards it checks in the database that
every booking landed: a booked row for the right resident carrying the message id
of its "对". One conversation dropped at the read-back warms the caches first.
Prints p50/p95/p99 of both and appends them to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, percentile, start_bench_stack  # noqa: E402
from bench.processes import load_average  # noqa: E402
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402

REQUESTS = ["帮我订{day}两份午饭送到家", "订{day}的晚饭一份去食堂吃"]
DAYS = ["明天", "后天", "大后天", "下周一", "下周二", "下周三", "下周四", "下周五"]
FROZEN_NOW = "2026-11-23T08:00"  # a Monday morning: every day asked for can still be booked


def _row(name: str, values: list) -> str:
    return (f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} "
            f"| {percentile(values, 0.99):.0f} | {statistics.mean(values):.0f} |")


def landed(database_url: str, expected: Dict[str, int]) -> int:
    """How many of the expected bookings (message id of the "对" → resident) are booked rows in the database."""
    from sqlalchemy import select

    from actions.db.models import MealBooking
    from actions.db.session import sessions_for

    with sessions_for(database_url)() as session:
        rows = session.execute(select(MealBooking.message_id, MealBooking.resident_id)
                               .where(MealBooking.message_id.in_(list(expected)), MealBooking.status == "booked"))
        return sum(1 for message_id, resident in rows if expected[message_id] == resident)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=60, help="at most 6 residents x 8 days x 2 meals")
    parser.add_argument("--quick", action="store_true", help="smoke run: 6 bookings")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.quick:
        args.bookings = 6
    load_at_start = load_average()
    read_backs, writes, booked = [], [], 0
    expected: Dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stack, startup_s = start_bench_stack(Path(tmp), "bench-secret", fixed_now=FROZEN_NOW)
        with stack:
            client = CoreClient(stack.rasa_url, "bench-secret")
            warm_up = ChannelMetadata(channel="kiosk", role="resident", resident_id=6, kiosk_mode="home")
            for text in ("帮我订下周五的午饭一份去食堂吃", "算了"):  # first use loads caches; nothing is booked
                client.send("bench-booking-warm-up", text, warm_up)
            for index in range(min(args.bookings, 6 * len(DAYS) * len(REQUESTS))):
                resident = 1 + index % 6
                day = DAYS[(index // 6) % len(DAYS)]
                text = REQUESTS[index // (6 * len(DAYS))].format(day=day)
                metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=resident, kiosk_mode="home")
                sender = f"bench-booking-{index}"
                sent = time.monotonic()
                read_back = client.send(sender, text, metadata)
                read_backs.append((time.monotonic() - sent) * 1000)
                message_id = uuid.uuid4().hex
                sent = time.monotonic()
                done = client.send(sender, "对", metadata, message_id=message_id)
                writes.append((time.monotonic() - sent) * 1000)
                booked += done.text.startswith("订好了")
                expected[message_id] = resident
                if not read_back.text.startswith("我念一下"):
                    print(f"unexpected answer to {text!r}: {read_back.text}", file=sys.stderr)
            in_database = landed(stack.settings.database_url, expected)
    lines = [
        f"Start-up: {startup_s:.1f} s. Load average (1 / 5 / 15 min): {load_at_start} at the start, "
        f"{load_average()} at the end.",
        "",
        f"{booked} of {len(writes)} conversations answered “订好了”; {in_database} of {len(writes)} bookings found "
        "in the database afterwards (a booked row for the right resident with the message id of its “对”).",
        "",
        "| turn | n | p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) |",
        "|---|---|---|---|---|---|",
        _row("everything said at once → read-back with price", read_backs),
        _row("“对” → booking written (one transaction)", writes),
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Meal-booking turns over HTTP", lines)


if __name__ == "__main__":
    main()
