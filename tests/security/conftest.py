"""The security suite: every finding of the audit (issue 17) replayed against real running servers.

It runs its own assistant (action server + Rasa server) on its own demo database, with low
rate limits so a flood is refused within a few messages.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from sanic import Sanic

from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from bot.kernel.core_client import CoreClient
from bot.kernel.settings import load_settings
from bot.ops.launcher import Stack, start_stack
from bot.ops.training import train
from bot.staff.app import ConsoleServer, build_console
from tests.conftest import NOW, TODAY

SECRET = "security-test-secret"
PER_SENDER = 12
ANONYMOUS = 12
Sanic.test_mode = True  # several Sanic servers in one process (see tests/unit/bot/staff/console_helpers.py)


@pytest.fixture(scope="session")
def security_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("security")
    url = f"sqlite:///{folder / 'private' / 'xiaonuan.db'}"
    engine = make_engine(url)
    create_schema(engine)
    sessions = session_factory(engine)
    seed_demo_data(sessions, TODAY)
    yield url, sessions, Path(folder / "private" / "xiaonuan.db")
    engine.dispose()


@pytest.fixture(scope="session")
def stack(security_database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    url = security_database[0]
    settings = load_settings().with_overrides(database_url=url, channel_secret=SECRET, rasa_port=0, actions_port=0,
                                              fixed_now=NOW.isoformat(), webhook_per_minute=PER_SENDER,
                                              anonymous_per_minute=ANONYMOUS, action_token="")
    running = start_stack(settings, train(settings.model_dir), run_dir=tmp_path_factory.mktemp("run") / "run")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(stack: Stack) -> CoreClient:
    return CoreClient(stack.rasa_url, SECRET, timeout_s=60)


@pytest.fixture()
def db(security_database):
    return security_database[1]


@pytest.fixture(scope="module")
def console(stack, security_database) -> Iterator[ConsoleServer]:
    server = ConsoleServer(build_console(stack.settings, security_database[1]), "127.0.0.1", 0).start()
    yield server
    server.stop()
