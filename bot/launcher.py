"""Starting and stopping the action server and the Rasa server on loopback."""
from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import requests
import yaml
from sqlalchemy.engine import make_url

from bot.core_client import HEALTH_PATH
from bot.settings import PROJECT_ROOT, Settings, child_environment


class StartupError(RuntimeError):
    """A server did not become healthy; the message says which and where its log is."""


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def tracker_store_config(database_url: str) -> dict:
    """Rasa's SQLTrackerStore in the application's own database."""
    url = make_url(database_url)
    # Rasa's factory hands the endpoint's `url` to SQLTrackerStore as `host`, which accepts a full URL.
    return {"type": "SQL", "dialect": url.get_backend_name(), "url": url.render_as_string(hide_password=False)}


def write_runtime_config(run_dir: Path, settings: Settings, actions_port: int) -> tuple:
    """Endpoints and credentials for this run, derived from settings."""
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = run_dir / "endpoints.yml"
    credentials = run_dir / "credentials.yml"
    endpoints.write_text(yaml.safe_dump({
        "action_endpoint": {"url": f"http://{settings.host}:{actions_port}/webhook"},
        "tracker_store": tracker_store_config(settings.database_url),
    }, allow_unicode=True))
    credentials.write_text(yaml.safe_dump({"bot.channels.secure_rest.SecureRestInput": None}))
    return endpoints, credentials


@dataclass
class Stack:
    """The running servers of one assistant."""

    settings: Settings
    rasa_url: str
    actions_url: str
    processes: List[subprocess.Popen] = field(default_factory=list)
    logs: List[Path] = field(default_factory=list)

    def stop(self, timeout_s: float = 15.0) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout_s
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _spawn(command: List[str], env: dict, log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "ab")
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)


def _wait_healthy(name: str, url: str, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"{name} exited with code {process.returncode}; see {log}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise StartupError(f"{name} was not healthy in time; see {log}")


def start_stack(settings: Settings, model: Path, run_dir: Optional[Path] = None,
                wait_s: float = 240.0) -> Stack:
    """Start the action server and the Rasa server and wait until both answer."""
    if not settings.channel_secret:
        settings = settings.with_overrides(channel_secret=secrets.token_urlsafe(32))
    actions_port = settings.actions_port or free_port(settings.host)
    rasa_port = settings.rasa_port or free_port(settings.host)
    run_dir = run_dir or PROJECT_ROOT / "var" / "run"
    endpoints, credentials = write_runtime_config(run_dir, settings, actions_port)
    env = child_environment(settings)
    env["SANIC_HOST"] = settings.host
    stack = Stack(settings, rasa_url=f"http://{settings.host}:{rasa_port}",
                  actions_url=f"http://{settings.host}:{actions_port}")
    deadline = time.monotonic() + wait_s
    try:
        actions_log = run_dir / "actions.log"
        actions = _spawn([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
                         env, actions_log)
        stack.processes.append(actions)
        stack.logs.append(actions_log)
        rasa_log = run_dir / "rasa.log"
        rasa = _spawn([sys.executable, "-m", "rasa", "run", "--model", str(model), "--endpoints", str(endpoints),
                       "--credentials", str(credentials), "--interface", settings.host, "--port", str(rasa_port)],
                      env, rasa_log)
        stack.processes.append(rasa)
        stack.logs.append(rasa_log)
        _wait_healthy("action server", stack.actions_url + "/health", actions, actions_log, deadline)
        _wait_healthy("Rasa server", stack.rasa_url + HEALTH_PATH, rasa, rasa_log, deadline)
    except BaseException:
        stack.stop()
        raise
    return stack


def start_telegram(stack: Stack, run_dir: Optional[Path] = None) -> tuple:
    """The Telegram channel as its own process, when a bot token is set: (process or None, a note to print)."""
    settings = stack.settings
    if not settings.telegram_bot_token:
        return None, ("Telegram channel is off: set TELEGRAM_BOT_TOKEN (from @BotFather) "
                      "to let family members act for their parents and hear of emergencies")
    log = (run_dir or PROJECT_ROOT / "var" / "run") / "telegram.log"
    env = child_environment(settings)
    env["XIAONUAN_CORE_URL"] = stack.rasa_url
    process = _spawn([sys.executable, "-m", "bot.cli", "telegram"], env, log)
    stack.processes.append(process)
    stack.logs.append(log)
    mode = f"webhook {settings.telegram_webhook_url}" if settings.telegram_webhook_url else "long polling"
    return process, f"Telegram channel is on ({mode}); its log: {log}"


def start_throwaway_stack(workdir: Path, secret: str, fixed_now: Optional[str] = None) -> tuple:
    """The real servers on a fresh copy of the demo district in `workdir` (demos, benchmarks);
    returns (stack, start-up seconds)."""
    from actions.clock import local_today
    from actions.db.seed import seed_demo_data
    from actions.db.session import create_schema, make_engine, session_factory
    from bot.settings import load_settings
    from bot.training import current_model, train

    settings = load_settings()
    model = current_model(settings.model_dir) or train(settings.model_dir)
    url = f"sqlite:///{workdir / 'xiaonuan.db'}"
    settings = settings.with_overrides(database_url=url, channel_secret=secret, fixed_now=fixed_now)
    engine = make_engine(url)
    create_schema(engine)
    seed_demo_data(session_factory(engine), local_today(settings))
    engine.dispose()
    started = time.monotonic()
    stack = start_stack(settings, model, run_dir=workdir / "run")
    return stack, time.monotonic() - started
