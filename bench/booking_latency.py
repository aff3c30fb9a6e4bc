"""Latency of meal-booking turns over HTTP through the real Rasa server and action server.

Each conversation says everything at once ("帮我订…"), which runs the form and
reads back the price (the read-back turn), then "对", which writes the booking
in one transaction (the booking turn). Prints p50/p95/p99 of both and appends
them to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, percentile, start_bench_stack  # noqa: E402
from bot.core_client import CoreClient  # noqa: E402
from bot.metadata import ChannelMetadata  # noqa: E402

REQUESTS = ["帮我订{day}两份午饭送到家", "订{day}的晚饭一份去食堂吃"]
DAYS = ["明天", "后天", "大后天", "下周一", "下周二", "下周三", "下周四", "下周五"]
FROZEN_NOW = "2026-11-23T08:00"  # a Monday morning: every day asked for can still be booked


def _row(name: str, values: list) -> str:
    return (f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} "
            f"| {percentile(values, 0.99):.0f} | {statistics.mean(values):.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=60, help="at most 6 residents x 8 days x 2 meals")
    args = parser.parse_args()
    read_backs, writes, booked = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        stack, startup_s = start_bench_stack(Path(tmp), "bench-secret", fixed_now=FROZEN_NOW)
        with stack:
            client = CoreClient(stack.rasa_url, "bench-secret")
            for index in range(min(args.bookings, 6 * len(DAYS) * len(REQUESTS))):
                resident = 1 + index % 6
                day = DAYS[(index // 6) % len(DAYS)]
                text = REQUESTS[index // (6 * len(DAYS))].format(day=day)
                metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=resident, kiosk_mode="home")
                sender = f"bench-booking-{index}"
                sent = time.monotonic()
                read_back = client.send(sender, text, metadata)
                read_backs.append((time.monotonic() - sent) * 1000)
                sent = time.monotonic()
                done = client.send(sender, "对", metadata)
                writes.append((time.monotonic() - sent) * 1000)
                booked += done.text.startswith("订好了")
                if not read_back.text.startswith("我念一下"):
                    print(f"unexpected answer to {text!r}: {read_back.text}", file=sys.stderr)
    lines = [
        f"Start-up: {startup_s:.1f} s. {booked} of {len(writes)} conversations booked.",
        "",
        "| turn | n | p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) |",
        "|---|---|---|---|---|---|",
        _row("everything said at once → read-back with price", read_backs),
        _row("“对” → booking written (one transaction)", writes),
    ]
    print("\n".join(lines))
    append_section("Meal-booking turns over HTTP", lines)


if __name__ == "__main__":
    main()
