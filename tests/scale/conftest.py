"""Two Rasa servers and one action server on loopback, sharing PostgreSQL and Redis.

Conversations live in one PostgreSQL server (Rasa's tracker store), application data in a
second one, so the fault tests can take either away on its own; Redis holds Rasa's locks.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from bot.kernel.core_client import CoreClient
from bot.kernel.settings import load_settings
from bot.ops.launcher import Stack, start_stack
from bot.ops.training import train
from tests.conftest import NOW, TODAY
from tests.support.servers import ThrowawayPostgres

SECRET = "scale-test-secret"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def app_postgres() -> Iterator[ThrowawayPostgres]:
    """The application database's own server (the fault tests stop it for a few seconds)."""
    server = ThrowawayPostgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def scale_db(app_postgres):
    engine = make_engine(app_postgres.create_database("xiaonuan"))
    create_schema(engine)
    sessions = session_factory(engine)
    seed_demo_data(sessions, TODAY)
    yield sessions
    engine.dispose()


@pytest.fixture(scope="session")
def replicas(scale_db, app_postgres, postgres_server, redis_server, tmp_path_factory) -> Iterator[Stack]:
    settings = load_settings().with_overrides(
        database_url=app_postgres.database_url("xiaonuan"),
        tracker_store_url=postgres_server.create_database("trackers"),
        redis_url=redis_server.url, channel_secret=SECRET, rasa_port=0, actions_port=0, fixed_now=NOW.isoformat())
    stack = start_stack(settings, train(settings.model_dir), run_dir=tmp_path_factory.mktemp("scale"), replicas=2)
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def cores(replicas: Stack) -> tuple:
    """A client for each Rasa server."""
    return tuple(CoreClient(url, SECRET, timeout_s=60) for url in replicas.rasa_urls)
