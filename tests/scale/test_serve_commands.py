"""The commands of the scale-out layout in docs/operations.md: `xiaonuan actions` and `xiaonuan core --replica`,
with DATABASE_URL on PostgreSQL holding both the application data and Rasa's conversations."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.kernel.contract import HEALTH_PATH
from bot.kernel.core_client import CoreClient
from bot.kernel.settings import PROJECT_ROOT
from bot.ops.launcher import ACTION_TOKEN_HEADER, free_port
from bot.ops.training import train
from tests.conftest import NOW
from tests.scale.test_replicas import kiosk

pytestmark = pytest.mark.e2e
SECRET = "serve-test-secret"
ACTION_TOKEN = "serve-test-action-token"


def _xiaonuan(*args: str, env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.ops.cli", *args], cwd=PROJECT_ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _wait(url: str, process: subprocess.Popen, seconds: float = 180, headers: dict = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}"
        try:
            if requests.get(url, timeout=2, headers=headers or {}).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_the_action_server_refuses_to_start_without_a_token(tmp_path) -> None:
    env = {**os.environ, "XIAONUAN_ACTION_TOKEN": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run([sys.executable, "-m", "bot.ops.cli", "actions", "--port", "0"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "XIAONUAN_ACTION_TOKEN" in done.stderr


def test_core_refuses_to_be_a_replica_without_redis_and_postgres(tmp_path) -> None:
    env = {**os.environ, "XIAONUAN_CHANNEL_SECRET": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "REDIS_URL": ""}
    done = subprocess.run([sys.executable, "-m", "bot.ops.cli", "core", "--replica"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "REDIS_URL" in done.stderr and "PostgreSQL" in done.stderr


def test_actions_and_a_core_started_by_hand_on_one_postgres_database(app_postgres, scale_db, redis_server,
                                                                    tmp_path) -> None:
    train(PROJECT_ROOT / "models")
    url = app_postgres.database_url("xiaonuan")
    actions_port, core_port = free_port("127.0.0.1"), free_port("127.0.0.1")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_server.url, "XIAONUAN_CHANNEL_SECRET": SECRET,
           "XIAONUAN_ACTION_TOKEN": ACTION_TOKEN, "XIAONUAN_NOW": NOW.isoformat(), "XIAONUAN_TRACKER_STORE_URL": ""}
    with open(tmp_path / "actions.log", "ab") as actions_log, open(tmp_path / "core.log", "ab") as core_log:
        actions = _xiaonuan("actions", "--port", str(actions_port), env=env, log=actions_log)
        core = _xiaonuan("core", "--replica", "--port", str(core_port),
                         "--actions-url", f"http://127.0.0.1:{actions_port}/webhook", env=env, log=core_log)
        try:
            _wait(f"http://127.0.0.1:{actions_port}/health", actions, headers={ACTION_TOKEN_HEADER: ACTION_TOKEN})
            assert requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=5).status_code == 401
            _wait(f"http://127.0.0.1:{core_port}{HEALTH_PATH}", core)
            sender = f"by-hand-{uuid.uuid4().hex[:6]}"
            answer = CoreClient(f"http://127.0.0.1:{core_port}", SECRET, 60).send(sender, "明天中午吃什么", kiosk(1))
            assert "午饭" in answer.text
        finally:
            for process in (core, actions):
                process.terminate()
                process.wait(30)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:  # the conversation went into the same PostgreSQL database
            stored = connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    finally:
        engine.dispose()
    assert stored > 0
