"""Turn latency and throughput with 1, 10, 50 and 200 concurrent conversations over HTTP.

The real Rasa server and action server on a throwaway copy of the demo district (with one
extra resident per simulated kiosk). At each level every kiosk runs the mixed conversations
of `bench/load.py` (greeting and menu, policy, a meal booked and cancelled, a home service
dropped, small talk) with no pause between turns, until the level's turns are measured.
Prints p50/p95/p99, mean, throughput and errors (timeouts, non-200 answers, connection
failures) per level, with the CPU each process used, and appends them to docs/benchmarks.md.

`--compare A B` measures two versions in one run: A and B are checkouts (directories) or git refs
(checked out into temporary worktrees); both versions' servers run side by side, idle but for the
one being measured, and the levels are measured alternately A, B, A, B … for `--rounds` rounds, so
that the load other users put on the machine falls on both alike. Prints each round and the median
ratio B/A of turns/s and p95.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, start_bench_stack  # noqa: E402
from bench.load import FROZEN_NOW, LoadPlan, Summary, add_residents, leftover_bookings, run_load, summarise  # noqa: E402
from bench.processes import cpu_seconds, listen_overflows, load_average  # noqa: E402

SECRET = "bench-secret"


def turns_for(kiosks: int, quick: bool) -> int:
    """Turns measured at a level: enough for a p99 and for every kiosk to hold several conversations."""
    return 40 if quick else max(300, 10 * kiosks)


def log_errors(logs: List[Path], offsets: List[int]) -> List[str]:
    """The ERROR lines the servers logged since `offsets` (their sizes before a level)."""
    found = []
    for log, offset in zip(logs, offsets):
        with log.open("rb") as handle:
            handle.seek(offset)
            found += [line for line in handle.read().decode("utf-8", "replace").splitlines() if " ERROR " in line]
    return found


def row(kiosks: int, summary: Summary, cpu: List[float]) -> str:
    return (f"| {kiosks} | {summary.turns} | {summary.errors_text()} | {summary.unexpected} "
            f"| {summary.p50:.0f} | {summary.p95:.0f} "
            f"| {summary.p99:.0f} | {summary.mean:.0f} | {summary.maximum:.0f} | {summary.throughput:.1f} "
            f"| {cpu[0]:.0f}% | {cpu[1]:.0f}% | {cpu[2]:.0f}% |")


def measure_level(rasa_url: str, database_url: str, pids: List[int], residents: List[int], kiosks: int,
                  turns: int, timeout_s: float, turns_per_sender: int) -> tuple:
    """(summary, [Rasa CPU %, actions CPU %, client CPU %]) of one level against one version's servers."""
    plan = LoadPlan(rasa_url, SECRET, residents[:kiosks], turns, timeout_s=timeout_s,
                    turns_per_sender=turns_per_sender, label=f"c{kiosks}")
    before = [cpu_seconds(pids[1]), cpu_seconds(pids[0]), psutil.Process().cpu_times()]
    started = time.monotonic()
    results = asyncio.run(run_load(plan, kiosks))
    wall = time.monotonic() - started
    after = [cpu_seconds(pids[1]), cpu_seconds(pids[0]), psutil.Process().cpu_times()]
    client = (after[2].user + after[2].system) - (before[2].user + before[2].system)
    return summarise(results), [100 * (after[0] - before[0]) / wall, 100 * (after[1] - before[1]) / wall,
                                100 * client / wall]


def compare(args: argparse.Namespace, levels: List[int]) -> None:
    """Two versions measured alternately (module docstring)."""
    from bench.checkouts import CheckoutStack

    began, load_at_start = time.monotonic(), load_average()
    stacks = []
    try:
        for source in args.compare:
            stacks.append(CheckoutStack(source, SECRET, FROZEN_NOW))
        residents = {}
        for stack in stacks:
            residents[stack.label] = add_residents(stack.database_url, max(levels))
            asyncio.run(run_load(LoadPlan(stack.rasa_url, SECRET, residents[stack.label], budget=25, label="warm"), 5))
        figures: dict = {}
        rows = []
        for round_number in range(1, args.rounds + 1):
            for kiosks in levels:
                for stack in stacks:
                    summary, cpu = measure_level(stack.rasa_url, stack.database_url, stack.pids,
                                                 residents[stack.label], kiosks, args.turns or turns_for(kiosks, False),
                                                 args.timeout, args.turns_per_sender)
                    figures.setdefault((stack.label, kiosks), []).append(summary)
                    rows.append(f"| {round_number} | {stack.label} | {kiosks} | {summary.turns} | "
                                f"{summary.errors_text()} | {summary.unexpected} | {summary.p50:.0f} | {summary.p95:.0f} "
                                f"| {summary.throughput:.1f} | {cpu[0]:.0f}% | {cpu[1]:.0f}% | {cpu[2]:.0f}% "
                                f"| {load_average()} |")
                    print(rows[-1], flush=True)
        for stack in stacks:
            booked, cancelled = leftover_bookings(stack.database_url, residents[stack.label])
            rows.append(f"| | {stack.label}: meal bookings left booked {booked}, cancelled {cancelled} | | | | | | | | | | | |")
    finally:
        for stack in stacks:
            stack.stop()
    first, second = stacks[0].label, stacks[1].label
    ratios = []
    for kiosks in levels:
        a = [s.throughput for s in figures[(first, kiosks)]]
        b = [s.throughput for s in figures[(second, kiosks)]]
        pa = [s.p95 for s in figures[(first, kiosks)]]
        pb = [s.p95 for s in figures[(second, kiosks)]]
        ratios.append(f"| {kiosks} | {statistics.median(a):.1f} | {statistics.median(b):.1f} "
                      f"| {statistics.median(b) / statistics.median(a):.2f}× | {statistics.median(pa):.0f} "
                      f"| {statistics.median(pb):.0f} |")
    lines = [
        f"A = {first} (commit {stacks[0].commit}), B = {second} (commit {stacks[1].commit}); both versions' servers "
        f"running side by side, levels measured alternately A, B for {args.rounds} rounds; start-up "
        f"{stacks[0].startup_s:.1f} s and {stacks[1].startup_s:.1f} s. Load average (1 / 5 / 15 min): {load_at_start} "
        f"at the start, {load_average()} at the end; the run took {time.monotonic() - began:.0f} s. "
        f"A new sender id every {args.turns_per_sender} turns; latency in ms; CPU in % of one core "
        "(Rasa server with its workers, action server, this client).",
        "",
        "| conversations | A turns/s (median) | B turns/s (median) | B / A | A p95 | B p95 |",
        "|---|---|---|---|---|---|",
        *ratios,
        "",
        "| round | version | conversations | turns | errors | off-script | p50 | p95 | turns/s | Rasa CPU "
        "| actions CPU | client CPU | load average after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Concurrent conversations over HTTP, two versions alternately", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,10,50,200", help="concurrent conversations, comma separated")
    parser.add_argument("--turns", type=int, default=0, help="turns measured per level (default: max(300, 10 x level))")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a turn counts as timed out")
    parser.add_argument("--turns-per-sender", type=int, default=10,
                        help="a new conversation (sender id) after this many turns, the same at every level")
    parser.add_argument("--quick", action="store_true", help="smoke run: levels 1 and 10, 40 turns each")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="two checkouts (directories) or git refs, measured alternately")
    parser.add_argument("--rounds", type=int, default=3, help="with --compare: rounds of A then B")
    args = parser.parse_args()
    levels = [1, 10] if args.quick else [int(level) for level in args.levels.split(",")]
    if args.compare:
        compare(args, levels)
        return
    load_at_start = load_average()
    rows, notes, unexpected, server_errors = [], [], [], []
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        stack, startup_s = start_bench_stack(Path(tmp), SECRET, fixed_now=FROZEN_NOW)
        with stack:
            url = stack.settings.database_url
            residents = add_residents(url, max(levels))
            actions, rasa = stack.processes[0].pid, stack.processes[1].pid
            warm_up = LoadPlan(stack.rasa_url, SECRET, residents, budget=25, label="warm")
            asyncio.run(run_load(warm_up, 5))  # dictionaries and caches load on first use
            for kiosks in levels:
                plan = LoadPlan(stack.rasa_url, SECRET, residents[:kiosks], args.turns or turns_for(kiosks, args.quick),
                                timeout_s=args.timeout, turns_per_sender=args.turns_per_sender, label=f"c{kiosks}")
                before = [cpu_seconds(rasa), cpu_seconds(actions), psutil.Process().cpu_times()]
                overflows = listen_overflows()
                offsets = [log.stat().st_size for log in stack.logs[:2]]
                started = time.monotonic()
                results = asyncio.run(run_load(plan, kiosks))
                wall = time.monotonic() - started
                after = [cpu_seconds(rasa), cpu_seconds(actions), psutil.Process().cpu_times()]
                client = (after[2].user + after[2].system) - (before[2].user + before[2].system)
                cpu = [100 * (after[0] - before[0]) / wall, 100 * (after[1] - before[1]) / wall, 100 * client / wall]
                summary = summarise(results)
                rows.append(row(kiosks, summary, cpu))
                drain = [r for r in results if not r.measured]
                drain_errors = sum(1 for r in drain if r.error)
                dropped = listen_overflows() - overflows
                logged = log_errors(stack.logs[:2], offsets)
                server_errors += logged[:3]
                notes.append(f"{kiosks}: {summary.answered} answered in {summary.seconds:.1f} s, "
                             f"{summary.unexpected} answers off the script, {len(drain)} unmeasured turns to finish "
                             f"open conversations ({drain_errors} errors), listen-queue overflows {dropped}, "
                             f"ERROR lines in the servers' logs {len(logged)}")
                unexpected += [r for r in results if r.unexpected][:3]
                print(rows[-1], flush=True)
            booked, cancelled = leftover_bookings(url, residents)
    load_at_end = load_average()
    lines = [
        f"Start-up: {startup_s:.1f} s. Load average (1 / 5 / 15 min): {load_at_start} at the start, "
        f"{load_at_end} at the end; the whole run took {time.monotonic() - began:.0f} s.",
        "",
        "Each conversation is a home kiosk of its own resident running mixed conversations (greeting and menu, "
        "policy question, meal booked then cancelled, home service dropped, small talk) with no pause between "
        f"turns; a new sender id every {args.turns_per_sender} turns, at every level (Rasa replays a conversation's "
        "tracker on each turn, so longer conversations are slower: see the soak). Latency of answered turns in ms; errors are timeouts "
        f"({args.timeout:.0f} s), non-200 answers and connection failures; an off-script answer is a 200 whose text lacks "
        "what the step expects (e.g. “订好了” after “对”), such as the apology when an action failed; "
        "CPU is % of one core over the level "
        "(Rasa server, action server, this client).",
        "",
        "| conversations | turns | errors | off-script answers | p50 | p95 | p99 | mean | max | turns/s | Rasa CPU "
        "| actions CPU | client CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Meal bookings written and cancelled again: {cancelled}; left booked: {booked}.",
        "",
        *[f"- {note}" for note in notes],
    ]
    print("\n".join(lines))
    for result in unexpected:
        print(f"off the script: kiosk {result.kiosk} said {result.text!r}, heard {result.answer[:120]!r}",
              file=sys.stderr)
    for line in server_errors:
        print(f"server log: {line[:300]}", file=sys.stderr)
    if not args.no_append:
        append_section("Concurrent conversations over HTTP", lines)


if __name__ == "__main__":
    main()
