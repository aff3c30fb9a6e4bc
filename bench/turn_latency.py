"""Turn latency over HTTP through the real Rasa server and action server.

Starts the assistant on a throwaway copy of the demo database, times the
start-up, then sends N turns (default 200) in Chinese from a few simulated
kiosks and prints p50/p95/p99 and throughput. Appends to docs/benchmarks.md.
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
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402

UTTERANCES = ["你好", "你能做什么", "再说一遍", "明天中午吃什么", "帮我订两份午饭", "约个助浴",
              "高龄津贴怎么领", "谢谢你", "说慢点", "明天下雨吗", "转人工", "好的"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stack, startup_s = start_bench_stack(Path(tmp), "bench-secret")
        with stack:
            client = CoreClient(stack.rasa_url, "bench-secret")
            latencies = []
            began = time.monotonic()
            for turn in range(args.turns):
                resident = 1 + turn % 6
                metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=resident, kiosk_mode="home")
                sent = time.monotonic()
                client.send(f"bench-{resident}", UTTERANCES[turn % len(UTTERANCES)], metadata)
                latencies.append((time.monotonic() - sent) * 1000)
            elapsed = time.monotonic() - began
    lines = [
        f"Start-up (action server + Rasa server healthy): {startup_s:.1f} s",
        "",
        f"{args.turns} sequential HTTP turns, 6 home kiosks, mixed intents:",
        "",
        "| p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) | turns/s |",
        "|---|---|---|---|---|",
        f"| {percentile(latencies, 0.5):.0f} | {percentile(latencies, 0.95):.0f} | {percentile(latencies, 0.99):.0f} "
        f"| {statistics.mean(latencies):.0f} | {args.turns / elapsed:.1f} |",
    ]
    print("\n".join(lines))
    append_section("Turn latency over HTTP", lines)


if __name__ == "__main__":
    main()
