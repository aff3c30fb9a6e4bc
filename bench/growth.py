"""Growth: does a turn cost more as one conversation gets longer? Turn 1, 50 and 300 of one conversation.

A home kiosk (its own resident) runs the mixed conversations of `bench/load.py` back to back in
ONE conversation (one sender id, nobody idle for an hour, as a kiosk in a busy home) for `--turns`
turns over HTTP, one at a time, against the real servers of a checkout (this one by default, or
each of `--checkouts`, run one after the other). Prints the median latency of the turns around
turn 1, 50 and 300 (windows of 10) and their ratio to the first window, and appends them to
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.checkouts import REPO, CheckoutStack  # noqa: E402
from bench.common import append_section  # noqa: E402
from bench.load import CONVERSATION_KINDS, FROZEN_NOW, add_residents, conversation  # noqa: E402
from bench.processes import load_average  # noqa: E402
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402

SECRET = "bench-secret"
WINDOWS = ((1, 10), (46, 55), (291, 300))


def one_conversation(rasa_url: str, resident: int, turns: int) -> List[float]:
    """Latency in ms of each turn of one conversation, in order."""
    client = CoreClient(rasa_url, SECRET, 120)
    metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=resident, kiosk_mode="home")
    steps = [step for slot in range(turns) for step in conversation(slot % CONVERSATION_KINDS, slot)]
    latencies = []
    for step in steps[:turns]:
        sent = time.monotonic()
        turn = client.send("growth-kiosk", step.text, metadata)
        latencies.append((time.monotonic() - sent) * 1000)
        if step.expect and step.expect not in turn.text:
            print(f"off the script at turn {len(latencies)}: {step.text!r} -> {turn.text[:80]!r}", file=sys.stderr)
    return latencies


def windows(latencies: List[float]) -> Dict[tuple, float]:
    return {(first, last): statistics.median(latencies[first - 1:last])
            for first, last in WINDOWS if len(latencies) >= last}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--checkouts", nargs="+", default=[str(REPO)],
                        help="checkouts (directories) or git refs to measure, one after the other")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    rows = []
    for source in args.checkouts:
        load_before = load_average()
        # One kiosk talking flat out is far beyond a person's 30 messages a minute: the limit is lifted here.
        with CheckoutStack(source, SECRET, FROZEN_NOW, environment={"XIAONUAN_WEBHOOK_PER_MINUTE": "100000"}) as stack:
            resident = add_residents(stack.database_url, 1)[0]
            latencies = one_conversation(stack.rasa_url, resident, args.turns)
        medians = windows(latencies)
        first = medians[WINDOWS[0]]
        cells = " | ".join(f"{value:.0f} ({value / first:.2f}×)" for value in medians.values())
        rows.append(f"| {stack.label} ({stack.commit}) | {cells} | {max(medians.values()) / first:.2f}× "
                    f"| {load_before} → {load_average()} |")
        print(rows[-1], flush=True)
    heads = " | ".join(f"turns {first}-{last} (ms)" for first, last in WINDOWS)
    lines = [
        f"One home kiosk's conversation of {args.turns} turns, one sender id, turns sent one at a time over HTTP "
        "(the mixed conversations of bench/load.py back to back); median latency of each window of 10 turns and "
        "its ratio to the first; load average (1 / 5 / 15 min) before → after.",
        "",
        f"| checkout | {heads} | largest / first | load average |",
        "|---|" + "---|" * len(WINDOWS) + "---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Growth: one long conversation", lines)


if __name__ == "__main__":
    main()
