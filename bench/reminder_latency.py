"""Reminders and family messages, measured with the real servers, the real Telegram channel process (its
outbox worker) and the Bot API stand-in, on a frozen clock:

- reminder due → spoken at the kiosk: a reminder falls due at a random moment of the kiosk's look cycle; a
  home kiosk loop (the voice kiosk's half-second
  wait between looks, `HomeTimer` looking every XIAONUAN_KIOSK_LOOK_EVERY s) sends "/reminder_due" and gets
  the sentence back; then "吃过了";
- reminder missed → relative told: a reminder's half hour passes unconfirmed; the reminder round of
  `xiaonuan run` (every 15 s) marks it missed and the Telegram process delivers the notice to the chat;
- family message → played: a relative's "给我妈留言：…" update queued at the Bot API until the home
  kiosk's loop has had it said.
Prints the figures and appends them to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, percentile  # noqa: E402
from bench.priority import CHATS, RESIDENT, SECRET, stack_with_relatives  # noqa: E402
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402

KIOSK_WAIT_S = 0.5  # the voice kiosk's wait for the wake phrase between looks (KioskTiming.wake_poll_s)


def _row(name: str, values: List[float]) -> str:
    if not values:
        return f"| {name} | 0 | | | |"
    return (f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} "
            f"| {max(values):.0f} |")


def _kiosk_until_said(timer, client: CoreClient, kiosk: ChannelMetadata, sender: str, expect: str,
                      timeout_s: float = 60.0) -> float:
    """The home kiosk's idle loop: look, wait, look …; the monotonic time the core's answer came back."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        payload = timer.due()
        if payload is not None:
            turn = client.send(sender, payload, kiosk)
            if expect in turn.text:
                return time.monotonic()
        time.sleep(KIOSK_WAIT_S)
    raise TimeoutError(f"nothing with {expect!r} was said within {timeout_s:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reminders", type=int, default=20)
    parser.add_argument("--misses", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    from actions.db.models import FamilyMember
    from actions.reminders.store import add_reminder
    from bot.kernel.clock import local_now, utc_now
    from bot.workers.reminders import ReminderWorker
    from voice.home_timer import HomeTimer

    spoken: List[float] = []
    told: List[float] = []
    played: List[float] = []
    with stack_with_relatives() as (stack, sessions, api):
        settings = stack.settings.with_overrides(kiosk_mode="home", kiosk_resident_id=RESIDENT)
        client = CoreClient(stack.rasa_url, SECRET, timeout_s=60)
        kiosk = ChannelMetadata(channel="kiosk", role="resident", resident_id=RESIDENT, kiosk_mode="home")
        timer = HomeTimer(settings, sessions)
        now_local, now_utc = local_now(settings), utc_now(settings)
        with sessions() as session:
            relative = session.query(FamilyMember.id).filter(FamilyMember.telegram_chat_id == str(CHATS[0])).scalar()

        for index in range(args.reminders):  # due now (the frozen minute), set a day ago
            due = now_local - dt.timedelta(minutes=1 + index % 20)
            time.sleep(random.uniform(0, settings.kiosk_look_every_s))  # at any moment of the kiosk's look cycle
            started = time.monotonic()
            with sessions.begin() as session:
                add_reminder(session, RESIDENT, f"吃药{index}", True, None, due.hour, due.minute,
                             f"resident:{RESIDENT}", now_utc - dt.timedelta(days=1))
            said = _kiosk_until_said(timer, client, kiosk, f"bench-reminder-{index}", f"该吃药{index}了")
            spoken.append((said - started) * 1000)
            client.send(f"bench-reminder-{index}", "吃过了", kiosk)
            print(f"reminder {index}: spoken after {spoken[-1]:.0f} ms", flush=True)

        worker = ReminderWorker(stack.settings, sessions)  # as `xiaonuan run` starts it
        worker.start()
        try:
            for index in range(args.misses):  # its half hour is over the moment it is written
                late = now_local - dt.timedelta(minutes=stack.settings.reminder_miss_minutes + 1 + index % 20)
                time.sleep(random.uniform(0, worker.interval_s))  # at any moment of the round's cycle
                since = time.monotonic()
                with sessions.begin() as session:
                    add_reminder(session, RESIDENT, f"量血压{index}", True, None, late.hour, late.minute,
                                 f"family:{relative}", now_utc - dt.timedelta(days=1))
                arrived = api.wait_for(lambda c, since=since, index=index: str(c.chat_id) == str(CHATS[0])
                                       and c.at >= since and f"该量血压{index}" in (c.text or ""), 60)
                told.append((arrived.at - since) * 1000)
                print(f"miss {index}: relative told after {told[-1]:.0f} ms", flush=True)
        finally:
            worker.stop()

        for index in range(args.messages):
            time.sleep(random.uniform(0, settings.kiosk_look_every_s))
            since = time.monotonic()
            api.push_update(api.text_update(CHATS[1], f"给我妈留言：周六回来吃饭，第{index}次"))
            said = _kiosk_until_said(timer, client, kiosk, f"bench-message-{index}", f"第{index}次")
            played.append((said - since) * 1000)
            print(f"message {index}: played after {played[-1]:.0f} ms", flush=True)

    lines = [f"Frozen clock {now_local:%Y-%m-%d %H:%M}; the home kiosk looks every {settings.kiosk_look_every_s:g} s "
             f"and waits {KIOSK_WAIT_S:g} s between looks; the reminder round runs every {worker.interval_s:g} s.",
             "", "| what | n | p50 (ms) | p95 (ms) | max (ms) |", "|---|---|---|---|---|",
             _row("reminder due → spoken at the home kiosk", spoken),
             _row("reminder missed → notice in the relative's Telegram chat", told),
             _row("family message sent on Telegram → played at the home kiosk", played)]
    print("\n".join(lines))
    append_section("Reminders and family messages", lines)


if __name__ == "__main__":
    main()
