"""Engine and session factory; built on first use, never at import time."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import List

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import Base


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL and a busy timeout for concurrent writers."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from bot.private_files import private_file

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


class SchemaOutdated(RuntimeError):
    """The database was made by an older version of Xiaonuan; the message says what to do."""


def outdated_tables(engine: Engine) -> List[str]:
    """Tables that exist but lack columns this version needs."""
    inspector = inspect(engine)
    existing = set(inspector.get_table_names())
    stale = []
    for table in Base.metadata.sorted_tables:
        if table.name in existing:
            have = {column["name"] for column in inspector.get_columns(table.name)}
            if not {column.name for column in table.columns} <= have:
                stale.append(table.name)
    return stale


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet; refuse a database an older version made."""
    stale = outdated_tables(engine)
    if stale:
        raise SchemaOutdated(
            f"the database {engine.url.render_as_string(hide_password=True)} was made by an older version "
            f"(tables {', '.join(stale)} lack new columns). For the demo database, delete var/xiaonuan.db "
            "(or run `make clean`) and start again.")
    Base.metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)


@functools.lru_cache(maxsize=4)
def _cached_factory(database_url: str) -> sessionmaker:
    engine = make_engine(database_url)
    create_schema(engine)
    return session_factory(engine)


def sessions_for(database_url: str) -> sessionmaker:
    """The process-wide session factory for a URL (one engine per URL, created lazily)."""
    return _cached_factory(database_url)
