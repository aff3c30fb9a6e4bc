"""One real assistant (action server + Rasa server) shared by all end-to-end tests."""
from __future__ import annotations

from typing import Iterator

import pytest

from bot.kernel.core_client import CoreClient
from bot.kernel.settings import load_settings
from bot.ops.launcher import Stack, start_stack
from bot.ops.training import train
from tests.conftest import NOW, demo_database

SECRET = "e2e-test-secret"


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'xiaonuan.db'}"
    with demo_database(url) as sessions:
        yield url, sessions


@pytest.fixture(scope="session")
def stack(e2e_database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    url, _ = e2e_database
    # The servers run on the same frozen clock as the unit tests (Monday 08:00), so cut-offs are predictable.
    # Rate limits well above what the tests send at once (the fuzz tests send many anonymous turns in a
    # minute); tests/security/ runs its own stack with low limits and checks them.
    settings = load_settings().with_overrides(database_url=url, channel_secret=SECRET, rasa_port=0, actions_port=0,
                                              fixed_now=NOW.isoformat(), webhook_per_minute=1000,
                                              anonymous_per_minute=1000)
    model = train(settings.model_dir)
    running = start_stack(settings, model, run_dir=tmp_path_factory.mktemp("run"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(stack: Stack) -> CoreClient:
    return CoreClient(stack.rasa_url, SECRET, timeout_s=60)


@pytest.fixture()
def db(e2e_database):
    return e2e_database[1]
