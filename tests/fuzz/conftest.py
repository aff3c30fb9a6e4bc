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
from actions.db.seed import seed_demo_data
from actions.db.session import create_schema, make_engine, session_factory
from tests.conftest import NOW, TODAY


@pytest.fixture(scope="module")
def fuzz_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, sessionmaker]]:
    """(url, sessions) of a fresh demo district, with settings read on the frozen clock."""
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
