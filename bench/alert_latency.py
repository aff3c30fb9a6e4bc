"""Telegram channel latency with the real servers, the real channel process and the Bot API stand-in:

- alert to family: a resident says "救命" at the kiosk; time until the alert reaches each of two
  linked family members' chats (from the kiosk's words being sent, and from the kiosk's answer);
- a family member's turn: a text update queued at the Bot API until the answer arrives there.
- emergencies first: with N other conversations running flat out (`--load`, default 50), an
  emergency's answer, the alert on the staff desk and at both relatives, and an ordinary turn's
  answer, with the turn gate and without it (bench/priority.py).
Prints the figures and appends them to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, percentile  # noqa: E402
from bench.priority import CHATS, RESIDENT, SECRET, stack_with_relatives  # noqa: E402
from bench.processes import load_average  # noqa: E402
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402


def _row(name: str, values: list) -> str:
    return (f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} "
            f"| {max(values):.0f} |")


def under_load(conversations: int, emergencies: int) -> None:
    """Emergencies first (bench/priority.py): with the gate, then without it, under the same load."""
    from bench.priority import measure, row

    lines = [f"{conversations} other conversations running flat out (bench/load.py); {emergencies} emergencies "
             "(\"救命 我摔倒了\", two linked relatives) each followed by an ordinary turn (\"明天中午吃什么\") "
             f"from another home kiosk. Load average at the start: {load_average()}.", "",
             "| gate | what | n | p50 (ms) | p95 (ms) | max (ms) |", "|---|---|---|---|---|---|"]
    for gate, label in ((None, "4 ordinary turns in flight (default)"), (0, "off")):
        figures = measure(conversations, emergencies, gate)
        for name, values in (("emergency: words → answer at the kiosk", figures.answer),
                             ("emergency: words → alert on the staff desk", figures.desk),
                             ("emergency: words → notice in a relative's chat", figures.family),
                             ("ordinary turn: words → answer", figures.ordinary)):
            lines.append(f"| {label} " + row(name, values))
        lines.append(f"| {label} | background turns answered meanwhile | {figures.background} | | | |")
        print("\n".join(lines[-5:]), flush=True)
    print("\n".join(lines))
    append_section(f"Emergencies first, with {conversations} conversations running", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=20)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--load", default="50",
                        help="other conversations running flat out meanwhile, comma separated (0: none, the quiet run)")
    args = parser.parse_args()
    for level in [int(level) for level in args.load.split(",") if int(level) > 0]:
        under_load(level, args.alerts)
    from_words, from_answer, turns = [], [], []
    with stack_with_relatives() as (stack, sessions, api):
        client = CoreClient(stack.rasa_url, SECRET)
        kiosk = ChannelMetadata(channel="kiosk", role="resident", resident_id=RESIDENT, kiosk_mode="home")
        for index in range(args.alerts):
            started = time.monotonic()
            client.send(f"bench-sos-{index}", "救命 我摔倒了", kiosk)
            answered = time.monotonic()
            arrivals = [api.wait_for(lambda c, chat=chat, started=started: str(c.chat_id) == str(chat) and c.at >= started
                                     and "紧急求助" in (c.text or ""), 15).at for chat in CHATS]
            from_words.extend((at - started) * 1000 for at in arrivals)
            from_answer.extend((at - answered) * 1000 for at in arrivals)
            time.sleep(0.3)
        for index in range(args.turns):
            since = time.monotonic()
            api.push_update(api.text_update(7001, "高龄津贴怎么领" if index % 2 else "明天中午吃什么"))
            reply = api.wait_for(lambda c, since=since: str(c.chat_id) == "7001" and c.at >= since
                                 and c.method == "sendMessage", 30)
            turns.append((reply.at - since) * 1000)
            time.sleep(0.3)
    lines = [
        "Outbox poll interval 0.5 s (XIAONUAN_OUTBOX_INTERVAL). Two linked family members per alert.",
        "",
        "| what | n | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---|---|---|---|",
        _row("alert at family chat, from the kiosk's words being sent", from_words),
        _row("alert at family chat, from the kiosk's answer", from_answer),
        _row("family member's text turn (update queued → first answer message)", turns),
    ]
    print("\n".join(lines))
    append_section("Telegram: alert to family, and a family member's turn", lines)


if __name__ == "__main__":
    main()
