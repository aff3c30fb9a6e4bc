"""Engine and session factory; built on first use, never at import time."""
from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL and a busy timeout for concurrent writers."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from bot.kernel.private_files import private_file

            private_file(Path(url.database))  # 0600; SQLite gives its -wal and -shm files the same mode
        engine = create_engine(url, future=True, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)


@functools.lru_cache(maxsize=4)
def _cached_factory(database_url: str) -> sessionmaker:
    from actions.db.schema import create_schema

    engine = make_engine(database_url)
    create_schema(engine)
    return session_factory(engine)


def sessions_for(database_url: str) -> sessionmaker:
    """The process-wide session factory for a URL (one engine per URL, created lazily)."""
    return _cached_factory(database_url)
