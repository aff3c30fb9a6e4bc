"""Fixtures of the fuzz tests: one seeded database per test module, on the frozen clock.

Hypothesis runs many examples inside one test call, so per-test fixtures would be
shared by all of them anyway; the fuzz modules use module-scoped ones on purpose.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
from sqlalchemy.orm import sessionmaker

from actions import runtime
from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from tests.conftest import NOW, PG_TEMPLATE, TODAY


@pytest.fixture(scope="module")
def fuzz_database(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, sessionmaker]]:
    """(url, sessions) of a fresh demo district, with settings read on the frozen clock.

    SQLite by default; a module parametrized with "postgresql" (indirect) gets a database
    on the test run's throwaway PostgreSQL server, which refuses things SQLite accepts.
    """
    server = request.getfixturevalue("postgres_server") if getattr(request, "param", "sqlite") == "postgresql" else None
    if server is not None:
        url = server.create_database(template=PG_TEMPLATE)
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'xiaonuan.db'}"
    engine = make_engine(url)
    create_schema(engine)
    sessions = session_factory(engine)
    seed_demo_data(sessions, TODAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("XIAONUAN_NOW", NOW.isoformat())
        runtime.reset()
        yield url, sessions
    runtime.reset()
    engine.dispose()
    if server is not None:
        server.drop_database(url.rsplit("/", 1)[1])


class ErrorRecords(logging.Handler):
    """Every record of level ERROR or worse logged in this process while installed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> List[str]:
        """The records logged since the last call, as one line each (with the exception, if any)."""
        lines = [f"{r.name}: {r.getMessage()}" + (f" ({r.exc_info[1]!r})" if r.exc_info else "")
                 for r in self.records]
        self.records.clear()
        return lines


@pytest.fixture(scope="module")
def logged_errors() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
