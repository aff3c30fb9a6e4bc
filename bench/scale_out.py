"""The same load on three layouts: one Rasa server on SQLite (the default), one on PostgreSQL, and two
Rasa servers sharing PostgreSQL and Redis, with every conversation's turns sent alternately to both.

Prints latency and throughput per layout and appends them to docs/benchmarks.md. On a 2-core
machine the second server can only use the core the first leaves idle; the figures show what a
second replica buys there and that alternating servers costs no correctness (bookings all land).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section  # noqa: E402
from bench.load import FROZEN_NOW, LoadPlan, add_residents, leftover_bookings, run_load, summarise  # noqa: E402
from bench.processes import cpu_seconds, load_average  # noqa: E402
from bot.ops.launcher import start_demo_stack  # noqa: E402
from tests.support.servers import ThrowawayPostgres, ThrowawayRedis  # noqa: E402

SECRET = "bench-secret"
LAYOUTS = (("1 Rasa server, SQLite", False, 1), ("1 Rasa server, PostgreSQL", True, 1),
           ("2 Rasa servers, PostgreSQL + Redis", True, 2))


def measure(name: str, workdir: Path, kiosks: int, turns: int, postgres: Optional[ThrowawayPostgres],
            redis: Optional[ThrowawayRedis], replicas: int) -> str:
    url = postgres.create_database() if postgres else None
    stack, startup_s = start_demo_stack(workdir, SECRET, FROZEN_NOW, database_url=url,
                                             redis_url=redis.url if redis else "", replicas=replicas,
                                             workers=1)  # the layouts compare servers of one worker each
    with stack:
        database = stack.settings.database_url
        residents = add_residents(database, kiosks)
        others = stack.rasa_urls[1:]
        asyncio.run(run_load(LoadPlan(stack.rasa_url, SECRET, residents, budget=25, label="warm",
                                      other_urls=others), 5))
        pids = [p.pid for p in stack.processes]
        before = [cpu_seconds(pid) for pid in pids]
        started = time.monotonic()
        results = asyncio.run(run_load(LoadPlan(stack.rasa_url, SECRET, residents, turns, turns_per_sender=10,
                                                label=f"s{replicas}", other_urls=others), kiosks))
        wall = time.monotonic() - started
        cpu = [100 * (cpu_seconds(pid) - b) / wall for pid, b in zip(pids, before)]
        summary = summarise(results)
        booked, cancelled = leftover_bookings(database, residents)
    errors = sum(summary.errors.values())
    rasa_cpu = " + ".join(f"{c:.0f}%" for c in cpu[1:])
    return (f"| {name} | {startup_s:.1f} s | {summary.answered} | {errors} | {summary.unexpected} | {summary.p50:.0f} "
            f"| {summary.p95:.0f} | {summary.p99:.0f} | {summary.answered / summary.seconds:.1f} | {rasa_cpu} "
            f"| {cpu[0]:.0f}% | {cancelled} / {booked} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=600, help="measured turns per layout")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 conversations, 60 turns")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    kiosks, turns = (10, 60) if args.quick else (args.conversations, args.turns)
    load_at_start = load_average()
    rows: List[str] = []
    postgres, redis = ThrowawayPostgres().start(), ThrowawayRedis().start()
    try:
        for name, on_postgres, replicas in LAYOUTS:
            with tempfile.TemporaryDirectory() as tmp:
                rows.append(measure(name, Path(tmp), kiosks, turns, postgres if on_postgres else None,
                                    redis if replicas > 1 else None, replicas))
                print(rows[-1], flush=True)
    finally:
        redis.stop()
        postgres.stop()
    lines = [
        f"Load average (1 / 5 / 15 min): {load_at_start} at the start, {load_average()} at the end. "
        f"{kiosks} concurrent home-kiosk conversations, {turns} measured turns per layout, no pause between turns, "
        "mixed conversations (menu, policy, a meal booked then cancelled, a service dropped); with two servers each "
        "turn goes to the other server than the one before. PostgreSQL and Redis are throwaway servers on loopback "
        "(fsync off) on the same 2 cores. Latency in ms; CPU is % of one core.",
        "",
        "| layout | start-up | answered | errors | off-script | p50 | p95 | p99 | turns/s | Rasa CPU "
        "| actions CPU | meals booked+cancelled / left booked |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Scale-out: SQLite, PostgreSQL, two Rasa servers", lines)


if __name__ == "__main__":
    main()
