"""Backing up and restoring the SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot while the assistant keeps writing (WAL mode),
and restoring through it replaces the live database in one transaction, so a process that
has the file open sees either the old data or the new, never a mix. Backups are written to
a temporary file, checked (`PRAGMA integrity_check`, the Xiaonuan tables) and only then
renamed into place. PostgreSQL has its own tools: `postgres_commands` gives the lines.
"""
from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

from sqlalchemy.engine import URL, make_url

from actions.db.models import Base

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every Xiaonuan database has had since the first version: how a backup is recognised.
XIAONUAN_TABLES = ("residents", "canteens", "meal_bookings", "alerts", "audit_log")


class BackupError(RuntimeError):
    """The backup or restore cannot go ahead; the message says why in a sentence."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    tables: int
    rows: Dict[str, int]  # rows per Xiaonuan table, and Rasa's events when present


def sqlite_path(database_url: str) -> Optional[Path]:
    """The file of a SQLite URL; None for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database).resolve()


def postgres_target(database_url: str) -> str:
    """The PostgreSQL URL for pg_dump and pg_restore, without the password (it goes in PGPASSWORD)."""
    url = make_url(database_url)
    return URL.create("postgresql", url.username, None, url.host, url.port, url.database,
                      url.query).render_as_string(hide_password=False)


def postgres_commands(database_url: str, path: str) -> Tuple[str, str]:
    """The pg_dump and pg_restore lines for a PostgreSQL URL (the password comes from ~/.pgpass or PGPASSWORD)."""
    target = postgres_target(database_url)
    dump = f"pg_dump --format=custom --file={shlex.quote(path)} {shlex.quote(target)}"
    restore = (f"pg_restore --clean --if-exists --no-owner --single-transaction "
               f"--dbname={shlex.quote(target)} {shlex.quote(path)}")
    return dump, restore


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes to the file or leaves -wal/-shm files beside it."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)


def check_backup(path: Path, usable: bool = True) -> BackupInfo:
    """Refuse anything but an intact Xiaonuan database (not one a newer version made, when `usable`: an
    older one is upgraded by `xiaonuan migrate` after the restore)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database")
    if Path(f"{path}-wal").exists():
        raise BackupError(f"{path}-wal lies beside {path.name}: the file was copied from a running database and "
                          "may be incomplete; use a file `xiaonuan backup` made")
    try:
        connection = _open_read_only(path)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            rows = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                    for table in sorted(tables & (set(Base.metadata.tables) | {"events"}))}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged and cannot be read: {exc}") from exc
    if problems != ["ok"]:
        raise BackupError(f"{path} is damaged (integrity check: {'; '.join(problems[:3])})")
    missing = [name for name in XIAONUAN_TABLES if name not in tables]
    if missing:
        raise BackupError(f"{path} is an SQLite database but not a Xiaonuan one (no {', '.join(missing)} tables)")
    problem = schema_problem(path) if usable else None
    if problem:
        raise BackupError(f"{path} {problem}")
    return BackupInfo(path, len(tables), rows)


def schema_problem(path: Path) -> Optional[str]:
    """Why this version cannot use the database's schema, or None. An older version's database is
    usable: `xiaonuan migrate` upgrades it after the restore."""
    from sqlalchemy import create_engine

    from actions.db.schema import SchemaTooNew, SchemaUnrecognised, schema_status, tables_lacking_columns

    engine = create_engine(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true", future=True)
    try:
        status = schema_status(engine)
        if status.up_to_date:
            with engine.connect() as connection:
                lacking = tables_lacking_columns(connection)
            if lacking:
                return (f"says it has this version's schema but tables {', '.join(lacking)} lack columns of it; "
                        "it was changed by hand and cannot be restored")
        return None
    except SchemaTooNew:
        return "was made by a newer version of Xiaonuan; restore it with that version"
    except SchemaUnrecognised:
        return "holds tables that match no version of Xiaonuan"
    finally:
        engine.dispose()


def backup_sqlite(database: Path, target: Path) -> BackupInfo:
    """Copy the live database to `target` (a temporary file first, renamed once it checks out)."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        _copy(sqlite3.connect(database, timeout=30), partial)
        info = check_backup(partial, usable=False)  # a faithful copy, whichever version made it
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, info.tables, info.rows)


def _copy(source: sqlite3.Connection, path: Path) -> None:
    """Copy in one step: one read transaction, so one consistent snapshot, while writers go on (WAL)."""
    from bot.kernel.private_files import private_file

    private_file(path)  # a backup holds everything the database does: 0600
    destination = sqlite3.connect(path)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        destination.close()
        source.close()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def restore_sqlite(backup: Path, database: Path, stamp: str) -> Optional[Path]:
    """Replace the database's content with the backup's; returns where the previous content was kept.

    The previous database is first copied (with the backup API, so its WAL is included) to
    `<name>.before-restore-<stamp>`. A file there that is not an SQLite database is moved aside instead.
    """
    check_backup(backup)
    if database.exists() and backup.resolve() == database.resolve():
        raise BackupError("the backup is the database itself")
    database.parent.mkdir(parents=True, exist_ok=True)
    kept = _keep_previous(database, stamp)
    source = _open_read_only(backup)
    target = sqlite3.connect(database, timeout=30)
    try:
        if _page_size(source) != _page_size(target) and _journal_mode(target) == "wal":
            raise BackupError(f"the backup's page size differs from {database.name}'s; stop the assistant, "
                              f"move {database} away and restore again")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # how the assistant runs it
        problems = [row[0] for row in target.execute("PRAGMA integrity_check")]
    finally:
        target.close()
        source.close()
    if problems != ["ok"]:
        raise BackupError(f"the restored database fails its integrity check ({'; '.join(problems[:3])}); "
                          f"the previous one is {kept}")
    return kept


def _keep_previous(database: Path, stamp: str) -> Optional[Path]:
    if not database.exists() or database.stat().st_size == 0:
        return None
    kept = _free_name(database.with_name(f"{database.name}.before-restore-{stamp}"))
    with database.open("rb") as handle:
        is_sqlite = handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if not is_sqlite:
        os.replace(database, kept)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return kept
    _copy(sqlite3.connect(database, timeout=30), kept)
    return kept


def _free_name(path: Path) -> Path:
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def _page_size(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA page_size").fetchone()[0])


def _journal_mode(connection: sqlite3.Connection) -> str:
    return str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower()
