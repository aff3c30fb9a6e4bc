"""Resident memory of each Xiaonuan process, idle after start and after load.

Starts, on a throwaway copy of the demo district: the action server and the Rasa server
(as `make run` does), the Telegram channel process (`xiaonuan telegram`) against the Bot API
stand-in on loopback (no network), and the staff console (`xiaonuan console`: the same console
`make run` serves from a thread of its own process). Reads RSS, USS and PSS (psutil, from
/proc/PID/smaps) of each when idle after start, then after load: kiosk turns from concurrent
conversations, a family member's turns on Telegram and staff page loads on the console.
Prints a table and appends it to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, start_bench_stack  # noqa: E402
from bench.load import FROZEN_NOW, LoadPlan, add_residents, run_load, summarise  # noqa: E402
from bench.processes import Memory, fmt, load_average, memory_of  # noqa: E402

SECRET = "bench-secret"
PASSWORD = "bench-password-2026"
FAMILY_CHAT = 7001
FAMILY_RESIDENT = 5  # 陈淑珍: no demo relatives
CONSOLE_PAGES = ["/today", "/conversations", "/residents", "/residents/1", "/numbers", "/not-understood", "/alerts"]


def start_console(stack, log: Path) -> Tuple[subprocess.Popen, str]:  # type: ignore[no-untyped-def]
    """`xiaonuan console` on a free port of the bench's database; (process, base URL) once it answers."""
    import requests

    from bot.kernel.settings import PROJECT_ROOT, child_environment
    from bot.ops.launcher import free_port

    port = free_port(stack.settings.host)
    env = child_environment(stack.settings)
    env["XIAONUAN_CONSOLE_PORT"] = str(port)
    process = subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "console"], cwd=PROJECT_ROOT, env=env,
                               stdout=open(log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://{stack.settings.host}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the console exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(base + "/login", timeout=2).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the console did not answer within 60 s")


def console_session(base: str, username: str, once: str):  # type: ignore[no-untyped-def]
    """A logged-in staff session: the one-time password, then a password of one's own."""
    import requests

    http = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get(base + "/login").text).group(1)
    http.post(base + "/login", data={"username": username, "password": once, "csrf": csrf})
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get(base + "/password").text).group(1)
    done = http.post(base + "/password", data={"csrf": csrf, "password": PASSWORD, "again": PASSWORD})
    if not (done.ok and done.url.endswith("/today")):
        raise RuntimeError(f"could not log in to the console: HTTP {done.status_code} at {done.url}")
    return http


def link_family_chat(api, sessions) -> None:  # type: ignore[no-untyped-def]
    from actions.linking import issue_code

    with sessions.begin() as session:
        code = issue_code(session, FAMILY_RESIDENT, "staff:1")
    since = time.monotonic()
    api.push_update(api.text_update(FAMILY_CHAT, code))
    api.wait_for(lambda c, since=since: str(c.chat_id) == str(FAMILY_CHAT) and c.at >= since and "绑定好了" in (c.text or ""), 30)


def telegram_turns(api, count: int) -> int:  # type: ignore[no-untyped-def]
    """A family member's text turns, each waited for; returns how many were answered."""
    answered = 0
    for index in range(count):
        since = time.monotonic()
        api.push_update(api.text_update(FAMILY_CHAT, ("明天中午吃什么", "高龄津贴怎么领", "她订了什么")[index % 3]))
        api.wait_for(lambda c, since=since: str(c.chat_id) == str(FAMILY_CHAT) and c.at >= since
                     and c.method == "sendMessage", 60)
        answered += 1
    return answered


def sample(pids: Dict[str, int]) -> Dict[str, Memory]:
    return {name: memory_of(pid) for name, pid in pids.items()}


def main() -> None:
    from actions.db.session import sessions_for
    from bot.staff.auth import ensure_first_admin
    from tests.e2e.telegram_process import start_telegram_process
    from tests.support.bot_api_standin import BotApiStandin

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=2000, help="kiosk turns of the load")
    parser.add_argument("--kiosks", type=int, default=10, help="concurrent kiosk conversations of the load")
    parser.add_argument("--telegram-turns", type=int, default=60)
    parser.add_argument("--page-rounds", type=int, default=10, help="rounds over the console's pages")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds idle before a sample")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 turns, 6 Telegram turns, 1 round")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.quick:
        args.turns, args.telegram_turns, args.page_rounds, args.settle = 100, 6, 1, 1.0
    load_at_start = load_average()
    with tempfile.TemporaryDirectory() as tmp, BotApiStandin() as api:
        workdir = Path(tmp)
        stack, startup_s = start_bench_stack(workdir, SECRET, fixed_now=FROZEN_NOW)
        with stack:
            sessions = sessions_for(stack.settings.database_url)
            username, once = ensure_first_admin(sessions) or ("admin", "")
            telegram = start_telegram_process(stack, api, workdir / "telegram.log",
                                              {"XIAONUAN_TELEGRAM_PER_MINUTE": "10000"})
            console, base = start_console(stack, workdir / "console.log")
            try:
                pids = {"Rasa server (`rasa run`)": stack.processes[1].pid,
                        "action server (`rasa_sdk`)": stack.processes[0].pid,
                        "Telegram channel (`xiaonuan telegram`)": telegram.process.pid,
                        "staff console (`xiaonuan console`)": console.pid}
                time.sleep(args.settle)
                idle = sample(pids)
                residents = add_residents(stack.settings.database_url, args.kiosks)
                kiosk = summarise(asyncio.run(run_load(
                    LoadPlan(stack.rasa_url, SECRET, residents, args.turns, turns_per_sender=10, label="mem"),
                    args.kiosks)))
                link_family_chat(api, sessions)
                family = telegram_turns(api, args.telegram_turns)
                http = console_session(base, username, once)
                pages = 0
                for _ in range(args.page_rounds):
                    for path in CONSOLE_PAGES:
                        pages += http.get(base + path).status_code == 200
                time.sleep(args.settle)
                loaded = sample(pids)
            finally:
                telegram.stop()
                console.terminate()
                console.wait(15)
    rows: List[str] = []
    for name in pids:
        before, after = idle[name], loaded[name]
        rows.append(f"| {name} | {before.rss:.0f} | {fmt(before.uss)} | {fmt(before.pss)} "
                    f"| {after.rss:.0f} | {fmt(after.uss)} | {fmt(after.pss)} |")
    rows.append(f"| **all four** | {sum(m.rss for m in idle.values()):.0f} | "
                f"{fmt(sum(m.uss or 0 for m in idle.values()))} | {fmt(sum(m.pss or 0 for m in idle.values()))} "
                f"| {sum(m.rss for m in loaded.values()):.0f} | {fmt(sum(m.uss or 0 for m in loaded.values()))} "
                f"| {fmt(sum(m.pss or 0 for m in loaded.values()))} |")
    lines = [
        f"Start-up: {startup_s:.1f} s. Load average (1 / 5 / 15 min): {load_at_start} at the start, "
        f"{load_average()} at the end.",
        "",
        f"Idle: {args.settle:.0f} s after every process answered, before any turn. After load: "
        f"{kiosk.answered} kiosk turns from {args.kiosks} concurrent conversations ({kiosk.errors_text()} errors), "
        f"{family} family turns on Telegram (Bot API stand-in), {pages} staff page loads "
        f"({', '.join(CONSOLE_PAGES)}), then {args.settle:.0f} s idle. MiB; USS is memory only that process holds, "
        "PSS shares the libraries among the processes using them. In `make run` the console is a thread of the "
        "`xiaonuan run` process (with the text kiosk and the outbox worker), measured here as `xiaonuan console`; "
        "the Telegram process runs only when TELEGRAM_BOT_TOKEN is set.",
        "",
        "| process | idle RSS | idle USS | idle PSS | after load RSS | USS | PSS |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Resident memory per process", lines)


if __name__ == "__main__":
    main()
