"""Help that comes unasked, end to end: its own assistant (action server + Rasa server) on its own demo
database, because its rounds look at every home kiosk of the database they are given."""
from __future__ import annotations

from typing import Iterator

import pytest

from bot.kernel.core_client import CoreClient
from bot.kernel.settings import load_settings
from bot.ops.launcher import Stack, start_stack
from bot.ops.training import train
from tests.conftest import NOW, demo_database

SECRET = "care-test-secret"


@pytest.fixture(scope="session")
def care_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    url = f"sqlite:///{tmp_path_factory.mktemp('care') / 'xiaonuan.db'}"
    with demo_database(url) as sessions:
        yield url, sessions


@pytest.fixture(scope="session")
def care_stack(care_database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = load_settings().with_overrides(database_url=care_database[0], channel_secret=SECRET, rasa_port=0,
                                              actions_port=0, fixed_now=NOW.isoformat())
    running = start_stack(settings, train(settings.model_dir), run_dir=tmp_path_factory.mktemp("care-run"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def care_client(care_stack: Stack) -> CoreClient:
    return CoreClient(care_stack.rasa_url, SECRET, timeout_s=60)
