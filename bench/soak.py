"""Soak: 10,000 turns through the real servers, with memory and latency over time.

A few simulated home kiosks (default 4) run the mixed conversations of `bench/load.py` without
pause; every meal booked is cancelled in the same conversation, so the canteens never fill.
Each kiosk starts a new conversation (sender id) every 50 turns, as session expiry does at a
real kiosk: one endless conversation would measure Rasa replaying an ever longer tracker, not
a kiosk. Every N turns (default 500) it samples the resident memory (RSS and USS) of the Rasa
server and the action server and the database size, and prints memory and latency per window
and the growth from the first window to the last. Appends them to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, start_bench_stack  # noqa: E402
from bench.load import FROZEN_NOW, LoadPlan, TurnResult, add_residents, by_position, leftover_bookings, run_load, summarise  # noqa: E402
from bench.processes import Memory, fmt, listen_overflows, load_average, memory_of  # noqa: E402

SECRET = "bench-secret"


@dataclass
class Window:
    """One window of turns: its latency figures and the memory at its end."""

    turns_done: int
    elapsed_s: float
    results: List[TurnResult]
    rasa: Memory
    actions: Memory
    database_mib: float


def growth(first: float, last: float) -> str:
    return f"{last - first:+.0f} MiB ({100 * (last - first) / first:+.1f}%)" if first else "n/a"


def database_mib(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1024 / 1024


def window_row(window: Window) -> str:
    summary = summarise(window.results)
    return (f"| {window.turns_done} | {window.elapsed_s:.0f} | {summary.p50:.0f} | {summary.p95:.0f} "
            f"| {summary.throughput:.1f} | {summary.error_count} | {window.rasa.rss:.0f} | {fmt(window.rasa.uss)} "
            f"| {window.actions.rss:.0f} | {fmt(window.actions.uss)} | {window.database_mib:.1f} |")


def tracker_counts(database_url: str) -> tuple:
    """(conversations, events) in Rasa's tracker store."""
    from sqlalchemy import text

    from actions.db.session import sessions_for

    with sessions_for(database_url)() as session:
        row = session.execute(text("SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM events")).one()
    return row[0], row[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--kiosks", type=int, default=4, help="concurrent conversations")
    parser.add_argument("--every", type=int, default=500, help="turns per window (memory sample)")
    parser.add_argument("--turns-per-sender", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="smoke run: 600 turns, a sample every 100")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.quick:
        args.turns, args.every = 600, 100
    load_at_start = load_average()
    windows: List[Window] = []
    with tempfile.TemporaryDirectory() as tmp:
        stack, startup_s = start_bench_stack(Path(tmp), SECRET, fixed_now=FROZEN_NOW)
        with stack:
            url = stack.settings.database_url
            database = Path(tmp) / "xiaonuan.db"
            residents = add_residents(url, args.kiosks)
            actions, rasa = stack.processes[0].pid, stack.processes[1].pid
            asyncio.run(run_load(LoadPlan(stack.rasa_url, SECRET, residents, budget=25, label="warm"), 5))
            idle = (memory_of(rasa), memory_of(actions))
            overflows = listen_overflows()
            began = time.monotonic()
            current: List[TurnResult] = []

            def on_turn(result: TurnResult, done: int) -> None:
                current.append(result)
                if done % args.every == 0 or done == args.turns:
                    windows.append(Window(done, time.monotonic() - began, list(current), memory_of(rasa),
                                          memory_of(actions), database_mib(database)))
                    print(window_row(windows[-1]), flush=True)
                    current.clear()

            plan = LoadPlan(stack.rasa_url, SECRET, residents, args.turns, label="soak",
                            turns_per_sender=args.turns_per_sender, on_turn=on_turn)
            results = asyncio.run(run_load(plan, args.kiosks))
            wall = time.monotonic() - began
            booked, cancelled = leftover_bookings(url, residents)
            conversations, events = tracker_counts(stack.settings.trackers_url)
    total = summarise(results)
    first, last = windows[0], windows[-1]
    lines = [
        f"Start-up: {startup_s:.1f} s. Load average (1 / 5 / 15 min): {load_at_start} at the start, "
        f"{load_average()} at the end.",
        "",
        f"{total.turns} turns from {args.kiosks} concurrent home kiosks without pause, mixed conversations; "
        f"a new sender id every {args.turns_per_sender} turns ({conversations} conversations, {events} tracker "
        f"events at the end). {cancelled} meals booked and cancelled again, {booked} left booked. "
        f"Errors: {total.errors_text()}; answers off the script: {total.unexpected}; listen-queue overflows: "
        f"{listen_overflows() - overflows}. Whole soak {wall:.0f} s, {total.throughput:.1f} turns/s.",
        "",
        f"Idle after start and warm-up: Rasa server RSS {idle[0].rss:.0f} MiB (USS {fmt(idle[0].uss)}), "
        f"action server RSS {idle[1].rss:.0f} MiB (USS {fmt(idle[1].uss)}).",
        "",
        "| turns | s | p50 ms | p95 ms | turns/s | errors | Rasa RSS MiB | Rasa USS | actions RSS MiB | actions USS "
        "| database MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[window_row(window) for window in windows],
        "",
        f"From the first window to the last: Rasa server RSS {growth(first.rasa.rss, last.rasa.rss)}, "
        f"action server RSS {growth(first.actions.rss, last.actions.rss)}; p50 {summarise(first.results).p50:.0f} → "
        f"{summarise(last.results).p50:.0f} ms, p95 {summarise(first.results).p95:.0f} → "
        f"{summarise(last.results).p95:.0f} ms.",
        "",
        "Latency by the turn's number in its conversation (the tracker Rasa loads and replays grows with it):",
        "",
        "| turns in conversation | turns | p50 ms | p95 ms |",
        "|---|---|---|---|",
        *[f"| {low}-{high} | {summary.turns} | {summary.p50:.0f} | {summary.p95:.0f} |"
          for low, high, summary in by_position(results, 10)],
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section(f"Soak: {total.turns} turns, memory over time", lines)


if __name__ == "__main__":
    main()
