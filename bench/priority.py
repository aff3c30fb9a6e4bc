"""Emergencies first, measured: an emergency and an ordinary turn while N other conversations talk flat out.

The real Rasa and action servers, the real Telegram channel process and the Bot API stand-in. N
simulated home kiosks run the mixed conversations of `bench/load.py` with no pause; meanwhile a
resident with two linked relatives says "救命 我摔倒了" and, a second later, another asks "明天中午吃什么".
Measured per emergency: the answer at the kiosk, the alert visible on the staff desk (the console reads
the same database), and the notice in each relative's chat; per ordinary probe, its answer. Run with
the gate (`XIAONUAN_TURNS_IN_FLIGHT`, default 4) and without it (0) one after the other.
"""
from __future__ import annotations

import asyncio
import contextlib
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional

from sqlalchemy import select

from bench.common import percentile, start_bench_stack
from bench.load import FROZEN_NOW, LoadPlan, add_residents, run_load
from bot.kernel.contract import ChannelMetadata
from bot.kernel.core_client import CoreClient

SECRET = "bench-secret"
RESIDENT = 5  # 陈淑珍: no demo relatives, so exactly the two linked here are told
PROBE_RESIDENT = 4


@dataclass
class Figures:
    answer: List[float] = field(default_factory=list)  # emergency: words sent → answer (ms)
    desk: List[float] = field(default_factory=list)  # words sent → alert row visible to the console
    family: List[float] = field(default_factory=list)  # words sent → notice in a relative's chat
    ordinary: List[float] = field(default_factory=list)  # an ordinary turn's answer under the same load
    background: int = 0  # background turns answered meanwhile


def link_relative(api, sessions, chat: int) -> None:  # type: ignore[no-untyped-def]
    """A relative's Telegram chat linked to RESIDENT with a fresh code, as a person would do it."""
    from actions.linking import issue_code

    with sessions.begin() as session:
        code = issue_code(session, RESIDENT, "staff:1")
    since = time.monotonic()
    api.push_update(api.text_update(chat, code))
    api.wait_for(lambda c: str(c.chat_id) == str(chat) and c.at >= since and "绑定好了" in (c.text or ""), 30)


def _watch_desk(sessions, sender: str, started: float, found: List[float], stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    from actions.db.models import Alert

    while not stop.is_set():
        with sessions() as session:
            if session.scalar(select(Alert.id).where(Alert.sender_id == sender)) is not None:
                found.append((time.monotonic() - started) * 1000)
                return
        time.sleep(0.01)


def _resolve(sessions, sender: str) -> None:  # type: ignore[no-untyped-def]
    """The next emergency is a new alert (one open alert per resident absorbs repeats)."""
    from actions.db.models import Alert

    with sessions.begin() as session:
        for alert in session.scalars(select(Alert).where(Alert.sender_id == sender)):
            alert.status = "resolved"


CHATS = (7001, 7002)  # the two relatives' Telegram chats


@contextlib.contextmanager
def stack_with_relatives(overrides: Optional[dict] = None) -> Iterator[tuple]:
    """(stack, sessions, Bot API stand-in): the real servers, the real Telegram channel process and two
    relatives linked to RESIDENT; everything is stopped afterwards."""
    from actions.db.session import sessions_for
    from tests.e2e.telegram_process import start_telegram_process
    from tests.support.bot_api_standin import BotApiStandin

    with tempfile.TemporaryDirectory() as tmp, BotApiStandin() as api:
        stack, _ = start_bench_stack(Path(tmp), SECRET, fixed_now=FROZEN_NOW, overrides=overrides)
        with stack:
            # The flood guard is lifted: the benchmark sends faster than a person would.
            telegram = start_telegram_process(stack, api, Path(tmp) / "telegram.log",
                                              {"XIAONUAN_TELEGRAM_PER_MINUTE": "10000"})
            try:
                sessions = sessions_for(stack.settings.database_url)
                for chat in CHATS:
                    link_relative(api, sessions, chat)
                yield stack, sessions, api
            finally:
                telegram.stop()


def measure(conversations: int, emergencies: int, gate: Optional[int]) -> Figures:
    """One run: the stack started with this gate (None: the default), load, emergencies and probes."""
    figures = Figures()
    with stack_with_relatives({} if gate is None else {"turns_in_flight": gate}) as (stack, sessions, api):
        residents = add_residents(stack.settings.database_url, conversations)
        plan = LoadPlan(stack.rasa_url, SECRET, residents, budget=10 ** 7, turns_per_sender=10, label="bg")

        def background() -> None:
            figures.background = len(asyncio.run(run_load(plan, conversations)))

        load = threading.Thread(target=background, daemon=True)
        load.start()
        time.sleep(5)  # the load is in full swing
        client = CoreClient(stack.rasa_url, SECRET, timeout_s=120)
        kiosk = ChannelMetadata(channel="kiosk", role="resident", resident_id=RESIDENT, kiosk_mode="home")
        probe = ChannelMetadata(channel="kiosk", role="resident", resident_id=PROBE_RESIDENT, kiosk_mode="home")
        for index in range(emergencies):
            sender, stop, desk = f"bench-sos-{index}", threading.Event(), []
            started = time.monotonic()
            watcher = threading.Thread(target=_watch_desk, args=(sessions, sender, started, desk, stop))
            watcher.start()
            client.send(sender, "救命 我摔倒了", kiosk)
            figures.answer.append((time.monotonic() - started) * 1000)
            arrivals = [api.wait_for(lambda c, chat=chat, started=started: str(c.chat_id) == str(chat) and c.at >= started
                                     and "紧急求助" in (c.text or ""), 60).at for chat in CHATS]
            figures.family.extend((at - started) * 1000 for at in arrivals)
            watcher.join(timeout=60)
            stop.set()
            figures.desk.extend(desk)
            _resolve(sessions, sender)
            started = time.monotonic()
            client.send(f"bench-probe-{index}", "明天中午吃什么", probe)
            figures.ordinary.append((time.monotonic() - started) * 1000)
            time.sleep(1)
        plan.budget = 0  # the kiosks finish their open conversations and stop
        load.join(timeout=300)
    return figures


def row(label: str, values: List[float]) -> str:
    if not values:
        return f"| {label} | 0 | – | – | – |"
    return f"| {label} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} | {max(values):.0f} |"
