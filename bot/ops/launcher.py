"""Starting and stopping the action server and the Rasa server on loopback."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional
from urllib.parse import urlsplit

import requests
import yaml
from sqlalchemy.engine import make_url

from bot.kernel.contract import HEALTH_PATH
from bot.kernel.private_files import open_private_log, private_dir, write_private
from bot.kernel.settings import PROJECT_ROOT, Settings, child_environment

ACTION_TOKEN_HEADER = "X-Xiaonuan-Action-Token"  # bot.core.action_server.TOKEN_HEADER, without importing Sanic here


class StartupError(RuntimeError):
    """A server did not become healthy; the message says which and where its log is."""


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


TRACKER_STORE = "bot.core.tracker_store.XiaonuanTrackerStore"


def tracker_store_config(database_url: str) -> dict:
    """Our tracker store (Rasa's SQLTrackerStore, kept trackers: bot/core/tracker_store.py) in the application's
    own database."""
    url = make_url(database_url)
    # Rasa's factory hands the endpoint's `url` to the store class as `host`, which accepts a full URL.
    return {"type": TRACKER_STORE, "dialect": url.get_backend_name(), "url": url.render_as_string(hide_password=False)}


def lock_store_config(redis_url: str) -> Optional[dict]:
    """A Redis lock store (Rasa's, with atomic ticket changes: bot/core/redis_locks.py), so several Rasa
    servers take turns on one conversation; None keeps Rasa's in-memory lock store (one server)."""
    if not redis_url:
        return None
    parts = urlsplit(redis_url)
    config = {"type": "bot.core.redis_locks.AtomicRedisLockStore", "url": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
              "db": int(parts.path.strip("/") or 0), "key_prefix": "xiaonuan"}
    if parts.password:
        config["password"] = parts.password
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def write_runtime_config(run_dir: Path, settings: Settings, actions_port: int,
                         actions_url: Optional[str] = None) -> tuple:
    """Endpoints and credentials for this run, derived from settings."""
    private_dir(run_dir)
    endpoints = run_dir / "endpoints.yml"
    credentials = run_dir / "credentials.yml"
    # Rasa sends the endpoint's `headers` with every call (rasa.utils.endpoints.EndpointConfig).
    config = {
        # Selective domain: the domain (18 of an action call's 40 kB) goes only to the actions that read it,
        # the forms' validation actions (bot/core/rasa_compat.py) and any marked `send_domain: true`.
        "action_endpoint": {"url": actions_url or f"http://{settings.host}:{actions_port}/webhook",
                            "headers": {ACTION_TOKEN_HEADER: settings.action_token},
                            "enable_selective_domain": True},
        "tracker_store": tracker_store_config(settings.trackers_url),
    }
    lock_store = lock_store_config(settings.redis_url)
    if lock_store:
        config["lock_store"] = lock_store
    write_private(endpoints, yaml.safe_dump(config, allow_unicode=True))
    write_private(credentials, yaml.safe_dump({"bot.core.rest_channel.SecureRestInput": None}))
    return endpoints, credentials


@dataclass
class Stack:
    """The running servers of one assistant."""

    settings: Settings
    rasa_url: str
    actions_url: str
    processes: List[subprocess.Popen] = field(default_factory=list)
    logs: List[Path] = field(default_factory=list)
    rasa_urls: List[str] = field(default_factory=list)
    actions_env: dict = field(default_factory=dict, repr=False)

    @property
    def action_headers(self) -> dict:
        """What the Rasa server sends the action server with every call (tests replay it)."""
        return {ACTION_TOKEN_HEADER: self.settings.action_token}

    def restart_actions(self, wait_s: float = 120.0) -> None:
        """Start the action server again on its port (after it crashed or was killed)."""
        old = self.processes[0]
        if old.poll() is None:
            old.kill()
        old.wait(10)
        port = int(self.actions_url.rsplit(":", 1)[1])
        log = self.logs[0]
        process = _spawn(actions_command(port), self.actions_env, log)
        self.processes[0] = process
        _wait_healthy("action server", self.actions_url + "/health", process, log, time.monotonic() + wait_s,
                      headers=self.action_headers)

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
    handle = open_private_log(log)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)


def _wait_healthy(name: str, url: str, process: subprocess.Popen, log: Path, deadline: float,
                  headers: Optional[dict] = None) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"{name} exited with code {process.returncode}; see {log}")
        try:
            if requests.get(url, timeout=2, headers=headers or {}).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise StartupError(f"{name} was not healthy in time; see {log}")


def actions_command(port: int) -> List[str]:
    return [sys.executable, "-m", "bot.core.action_server", "--port", str(port)]


def core_command(model: Path, endpoints: Path, credentials: Path, host: str, port: int) -> List[str]:
    # bot.core.rasa_server: `rasa run` with our start-up order and Rasa fixes (issue 20).
    return [sys.executable, "-m", "bot.core.rasa_server", "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(credentials), "--interface", host, "--port", str(port)]


def server_environment(settings: Settings) -> dict:
    env = child_environment(settings)
    env["SANIC_HOST"] = settings.host
    # The action server (rasa_sdk's Sanic) closes a new connection that has sent nothing within its
    # keep-alive timeout, 5 s by default. A busy Rasa server opens the connection for an action and
    # may write the request seconds later; the action then fails ("Cannot write to closing transport")
    # and the resident hears an apology. Rasa sets its own keep-alive from its command line, so this
    # reaches only the action server. Found by bench/concurrency.py with 200 conversations.
    env.setdefault("SANIC_KEEP_ALIVE_TIMEOUT", "75")
    return env


MAX_AUTO_WORKERS = 4


def worker_count(settings: Settings, cores: Optional[int] = None) -> int:
    """Sanic workers per Rasa server: XIAONUAN_RASA_WORKERS, or one per core up to MAX_AUTO_WORKERS."""
    if settings.rasa_workers:
        return settings.rasa_workers
    return max(1, min(cores or os.cpu_count() or 1, MAX_AUTO_WORKERS))


def start_private_redis(run_dir: Path, wait_s: float = 20.0) -> tuple:
    """A Redis server on loopback for this run's conversation locks, with a password and nothing saved to
    disk: (process, its redis:// URL), or (None, why not)."""
    import redis

    binary = shutil.which("redis-server")
    if not binary:
        return None, "redis-server is not installed (make setup installs it)"
    private_dir(run_dir)
    port, password = free_port("127.0.0.1"), secrets.token_urlsafe(24)
    config = run_dir / "redis.conf"  # the password in a private file, not on the command line
    write_private(config, f"port {port}\nbind 127.0.0.1\nrequirepass {password}\nsave \"\"\nappendonly no\n"
                          f"dir {run_dir}\n")
    log = run_dir / "redis.log"
    process = _spawn([binary, str(config)], {**os.environ}, log)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=1).ping():
                return process, f"redis://:{password}@127.0.0.1:{port}/0"
        except redis.exceptions.RedisError:
            time.sleep(0.1)
    if process.poll() is None:
        process.kill()
        process.wait(5)
    return None, f"the private redis-server did not start; see {log}"


def plan_workers(settings: Settings, run_dir: Optional[Path] = None) -> tuple:
    """How many Rasa workers `make run` starts, as (settings, workers, a private Redis process or None,
    a note saying how many and why): several when the machine has the cores and Redis is at hand
    (REDIS_URL, or a private redis-server started here), else one."""
    wanted = worker_count(settings)
    if wanted <= 1:
        return settings, 1, None, ("one Rasa worker (one core, or XIAONUAN_RASA_WORKERS=1); "
                                   "XIAONUAN_RASA_WORKERS sets how many")
    if settings.redis_url:
        return settings, wanted, None, f"{wanted} Rasa workers, conversation locks in Redis (REDIS_URL)"
    process, url = start_private_redis(run_dir or settings.run_dir)
    if process is None:
        return settings, 1, None, (f"one Rasa worker, not {wanted}: several need Redis for the conversation "
                                   f"locks and {url}; set REDIS_URL or install redis-server")
    return (settings.with_overrides(redis_url=url), wanted, process,
            f"{wanted} Rasa workers (one per core), conversation locks in a private Redis on loopback")


def start_stack(settings: Settings, model: Path, run_dir: Optional[Path] = None,
                wait_s: float = 240.0, replicas: int = 1, workers: int = 1) -> Stack:
    """Start the action server and `replicas` Rasa servers of `workers` Sanic workers each and wait
    until all answer.

    More than one Rasa server needs a shared tracker store (PostgreSQL) and Redis for the lock store;
    `stack.rasa_urls` lists them (`stack.rasa_url` is the first). More than one worker needs Redis too
    (the workers share the tracker store, SQLite or PostgreSQL).
    """
    if not settings.channel_secret:
        settings = settings.with_overrides(channel_secret=secrets.token_urlsafe(32))
    if not settings.action_token:
        settings = settings.with_overrides(action_token=secrets.token_urlsafe(32))
    if replicas > 1 and not settings.redis_url:
        raise StartupError("several Rasa servers need REDIS_URL (Rasa's Redis lock store), or they would "
                           "process one conversation's messages at the same time")
    if workers > 1 and not settings.redis_url:
        raise StartupError("several Rasa workers need REDIS_URL (Rasa's Redis lock store), or they would "
                           "process one conversation's messages at the same time")
    actions_port = settings.actions_port or free_port(settings.host)
    ports = [settings.rasa_port or free_port(settings.host)]
    while len(ports) < replicas:
        ports.append(free_port(settings.host))
    run_dir = run_dir or settings.run_dir
    endpoints, credentials = write_runtime_config(run_dir, settings, actions_port)
    env = server_environment(settings)
    core_env = {**env, "SANIC_WORKERS": str(workers)}  # Rasa's own variable (rasa.core.utils.number_of_sanic_workers)
    urls = [f"http://{settings.host}:{port}" for port in ports]
    stack = Stack(settings, rasa_url=urls[0], actions_url=f"http://{settings.host}:{actions_port}", rasa_urls=urls,
                  actions_env=env)
    deadline = time.monotonic() + wait_s
    try:
        actions_log = run_dir / "actions.log"
        actions = _spawn(actions_command(actions_port), env, actions_log)
        stack.processes.append(actions)
        stack.logs.append(actions_log)
        cores = []
        for index, port in enumerate(ports):
            log = run_dir / ("rasa.log" if index == 0 else f"rasa-{index + 1}.log")
            process = _spawn(core_command(model, endpoints, credentials, settings.host, port), core_env, log)
            stack.processes.append(process)
            stack.logs.append(log)
            cores.append((process, log))
        _wait_healthy("action server", stack.actions_url + "/health", actions, actions_log, deadline,
                      headers=stack.action_headers)
        for url, (process, log) in zip(urls, cores):
            _wait_healthy("Rasa server", url + HEALTH_PATH, process, log, deadline)
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
    log = (run_dir or settings.run_dir) / "telegram.log"
    env = child_environment(settings)
    env["XIAONUAN_CORE_URL"] = stack.rasa_url
    process = _spawn([sys.executable, "-m", "bot.ops.cli", "telegram"], env, log)
    stack.processes.append(process)
    stack.logs.append(log)
    mode = f"webhook {settings.telegram_webhook_url}" if settings.telegram_webhook_url else "long polling"
    return process, f"Telegram channel is on ({mode}); its log: {log}"


DEVICE_DOOR_HEADER = "X-Xiaonuan-Door"  # bot.devices.server.DOOR_HEADER, without importing Sanic here


def start_devices(stack: Stack, run_dir: Optional[Path] = None, wait_s: float = 60.0) -> tuple:
    """The device door (SOS buttons, wristbands) as its own process: (process or None, a note to print).

    Its own process because two Sanic servers cannot share one (Sanic rewrites its protocol class
    in place when a server starts). A door that cannot start is a note, not the end of the run.
    """
    settings = stack.settings
    port = settings.devices_port or free_port(settings.host)
    settings = settings.with_overrides(devices_port=port)
    log = (run_dir or settings.run_dir) / "devices.log"
    process = _spawn([sys.executable, "-m", "bot.ops.cli", "devices"], child_environment(settings), log)
    url = f"http://{settings.host}:{port}/v1/events"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and process.poll() is None:
        try:  # our door answers a request without a token with 401 and its own header
            if requests.post(url, timeout=2).headers.get(DEVICE_DOOR_HEADER) == "devices":
                stack.processes.append(process)
                stack.logs.append(log)
                return process, f"device door: {url} (SOS buttons and wristbands; see docs/devices.md); log: {log}"
        except requests.RequestException:
            pass
        time.sleep(0.3)
    if process.poll() is None:
        process.kill()
        process.wait(5)
    return None, f"the device door could not start on port {port}; see {log}"


def start_demo_stack(workdir: Path, secret: str, fixed_now: Optional[str] = None,
                     database_url: Optional[str] = None, redis_url: str = "", replicas: int = 1,
                     overrides: Optional[dict] = None, workers: Optional[int] = None) -> tuple:
    """The real servers on a fresh copy of the demo district (a SQLite file in `workdir`, or the empty
    database `database_url`), for demos and benchmarks; returns (stack, start-up seconds).
    `workers` None: as many Rasa workers as `make run` starts (plan_workers)."""
    from actions.db.schema import create_schema
    from actions.db.seed import seed_demo_data
    from actions.db.session import make_engine, session_factory
    from bot.kernel.clock import local_today
    from bot.kernel.settings import load_settings
    from bot.ops.training import current_model, train

    settings = load_settings()
    model = current_model(settings.model_dir) or train(settings.model_dir)
    url = database_url or f"sqlite:///{workdir / 'xiaonuan.db'}"
    settings = settings.with_overrides(database_url=url, channel_secret=secret, fixed_now=fixed_now,
                                       redis_url=redis_url, tracker_store_url="", **(overrides or {}))
    engine = make_engine(url)
    create_schema(engine)
    seed_demo_data(session_factory(engine), local_today(settings))
    engine.dispose()
    started = time.monotonic()
    redis_process = None
    if workers is None:
        settings, workers, redis_process, _note = plan_workers(settings, workdir / "run")
    try:
        stack = start_stack(settings, model, run_dir=workdir / "run", replicas=replicas, workers=workers)
    except BaseException:
        if redis_process is not None:
            redis_process.kill()
        raise
    if redis_process is not None:
        stack.processes.append(redis_process)  # stopped with the servers
    return stack, time.monotonic() - started
