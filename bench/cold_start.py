"""Cold start of the servers to ready, repeated: action server healthy, Rasa server healthy, first answer.

Each run starts the action server and the Rasa server as `make run` does (`bot.ops.launcher.start_stack`,
model already trained) on a fresh throwaway copy of the demo district, polls both health URLs
every 50 ms from a thread, sends the first turn ("你好") as soon as both answer, and stops them.
The Rasa server answers its health URL only after the model is loaded (Rasa loads the agent
before the server starts listening). "Cold" means new processes; the operating system's file
cache is warm after the first run, as it is on a kiosk that restarts. Prints min and median and
appends them to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section  # noqa: E402
from bench.load import FROZEN_NOW  # noqa: E402
from bench.processes import load_average  # noqa: E402

SECRET = "bench-secret"


ACTION_TOKEN = "bench-action-token"
HEADERS = {"actions": {"X-Xiaonuan-Action-Token": ACTION_TOKEN}}  # the action server answers only Rasa


def watch(urls: Dict[str, str], started: float, seen: Dict[str, float], stop: threading.Event) -> None:
    """Record the first moment each URL answers 200, in seconds after `started`."""
    while not stop.is_set() and len(seen) < len(urls):
        for name, url in urls.items():
            if name in seen:
                continue
            try:
                if requests.get(url, timeout=1, headers=HEADERS.get(name, {})).status_code == 200:
                    seen[name] = time.monotonic() - started
            except requests.RequestException:
                pass
        time.sleep(0.05)


def one_run(workdir: Path, workers: int = 1) -> Dict[str, float]:
    from actions.db.schema import create_schema
    from actions.db.seed import seed_demo_data
    from actions.db.session import make_engine, session_factory
    from bot.kernel.clock import local_today
    from bot.kernel.contract import HEALTH_PATH, ChannelMetadata
    from bot.kernel.core_client import CoreClient
    from bot.kernel.settings import load_settings
    from bot.ops.launcher import free_port, start_private_redis, start_stack
    from bot.ops.training import current_model, train

    settings = load_settings()
    model = current_model(settings.model_dir) or train(settings.model_dir)
    url = f"sqlite:///{workdir / 'xiaonuan.db'}"
    settings = settings.with_overrides(database_url=url, channel_secret=SECRET, fixed_now=FROZEN_NOW,
                                       action_token=ACTION_TOKEN,
                                       actions_port=free_port(settings.host), rasa_port=free_port(settings.host))
    engine = make_engine(url)
    create_schema(engine)
    seed_demo_data(session_factory(engine), local_today(settings))
    engine.dispose()
    host = settings.host
    urls = {"actions": f"http://{host}:{settings.actions_port}/health",
            "rasa": f"http://{host}:{settings.rasa_port}{HEALTH_PATH}"}
    seen: Dict[str, float] = {}
    stop = threading.Event()
    started = time.monotonic()
    watcher = threading.Thread(target=watch, args=(urls, started, seen, stop), daemon=True)
    watcher.start()
    redis = None
    if workers > 1:  # as `make run` starts several: a private Redis for the conversation locks
        redis, redis_url = start_private_redis(workdir / "redis")
        settings = settings.with_overrides(redis_url=redis_url)
    stack = start_stack(settings, model, run_dir=workdir / "run", workers=workers)
    if redis is not None:
        stack.processes.append(redis)
    try:
        ready = time.monotonic() - started
        sent = time.monotonic()
        CoreClient(stack.rasa_url, SECRET).send("bench-cold", "你好", ChannelMetadata(
            channel="kiosk", role="resident", resident_id=1, kiosk_mode="home"))
        answered = time.monotonic()
        stop.set()
        watcher.join(5)
    finally:
        stopping = time.monotonic()
        stack.stop()
        stopped = time.monotonic() - stopping
    return {"actions": seen.get("actions", ready), "rasa": seen.get("rasa", ready), "ready": ready,
            "first answer": answered - started, "first turn": (answered - sent) * 1000, "stop": stopped}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smoke run: one start")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--workers", type=int, default=1, help="Rasa workers (make run: one per core)")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    load_at_start = load_average()
    results: List[Dict[str, float]] = []
    for number in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(one_run(Path(tmp), args.workers))
        print(f"run {number + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in results[-1].items()), flush=True)

    def stat(key: str, unit: str = "s", scale: float = 1.0, digits: int = 1) -> str:
        values = [r[key] * scale for r in results]
        return (f"{min(values):.{digits}f} {unit} | {statistics.median(values):.{digits}f} {unit} "
                f"| {', '.join(f'{v:.{digits}f}' for v in values)}")

    lines = [
        f"Load average (1 / 5 / 15 min): {load_at_start} at the start, {load_average()} at the end. "
        f"{runs} starts of new server processes ({args.workers} Rasa worker(s)), model already trained, "
        "health polled every 50 ms.",
        "",
        "| from starting both processes to | min | median | each run |",
        "|---|---|---|---|",
        f"| action server healthy | {stat('actions')} |",
        f"| Rasa server healthy (model loaded) | {stat('rasa')} |",
        f"| both healthy, as the launcher sees it (polls every 0.3 s) | {stat('ready')} |",
        f"| first answer (“你好”) received | {stat('first answer')} |",
        f"| the first turn alone | {stat('first turn', 'ms', 1.0, 0)} |",
        f"| stopping both (SIGTERM to exit) | {stat('stop')} |",
    ]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Cold start of the servers to ready", lines)


if __name__ == "__main__":
    main()
