"""Policy answers: retrieval time in process, and the whole turn over HTTP through the real servers.

Uses the questions of tests/unit/actions/policies/retrieval_set.yml. Prints p50/p95 and the
top-1 accuracy, and appends them to docs/benchmarks.md.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from actions.policies.knowledge import load_knowledge  # noqa: E402
from actions.policies.retrieval import PolicyIndex  # noqa: E402
from bench.common import ROOT, append_section, percentile, start_bench_stack  # noqa: E402
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402

HTTP_TURNS = 60


def main() -> None:
    questions = yaml.safe_load((ROOT / "tests" / "policies" / "retrieval_set.yml").read_text())["questions"]
    started = time.monotonic()
    knowledge = load_knowledge(ROOT / "data" / "policies")
    index = PolicyIndex(knowledge)
    build_ms = (time.monotonic() - started) * 1000
    search_ms, right = [], 0
    for question in questions:
        sent = time.monotonic()
        found = index.search(question["q"], limit=1)
        search_ms.append((time.monotonic() - sent) * 1000)
        right += bool(found) and found[0].item.id == question["id"]
    http_ms = []
    with tempfile.TemporaryDirectory() as tmp:
        stack, _ = start_bench_stack(Path(tmp), "bench-secret")
        with stack:
            client = CoreClient(stack.rasa_url, "bench-secret")
            metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=1, kiosk_mode="home")
            for turn, question in enumerate(questions[:HTTP_TURNS]):
                sent = time.monotonic()
                client.send(f"bench-policy-{turn}", question["q"], metadata)
                http_ms.append((time.monotonic() - sent) * 1000)
    lines = [
        f"{len(knowledge)} items, {sum(len(i.aliases) for i in knowledge)} aliases; index built in {build_ms:.0f} ms.",
        f"Top-1 on the {len(questions)}-question retrieval set: {right}/{len(questions)} = {right / len(questions):.1%}.",
        "",
        "| what | n | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---|---|---|---|",
        f"| retrieval in process | {len(search_ms)} | {percentile(search_ms, 0.5):.1f} | "
        f"{percentile(search_ms, 0.95):.1f} | {max(search_ms):.1f} |",
        f"| policy question over HTTP (real servers) | {len(http_ms)} | {percentile(http_ms, 0.5):.0f} | "
        f"{percentile(http_ms, 0.95):.0f} | {max(http_ms):.0f} |",
    ]
    print("\n".join(lines))
    append_section("Policy answers", lines)


if __name__ == "__main__":
    main()
