"""Where a database's schema stands, and bringing it to this version's (Alembic: docs/migrations.md).

Two entry points:
- `create_schema` (every process, on first use): makes an empty database at this version and
  accepts one already there; it never changes a database that holds data from another version.
- `upgrade_schema` (`xiaonuan migrate`, and `make run` through `xiaonuan seed`): upgrades an older
  database in place after the caller's backup, in one transaction, so a failing revision leaves
  it as it was; it refuses a database newer than this code.

Databases made before migrations existed have no `alembic_version` table; they are recognised by
their tables (this version's: stamped at head; the first release's: stamped 0001).
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Set

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine

from actions.db.models import Base

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"
NOT_OURS = frozenset({"events", "alembic_version"})  # Rasa's conversations; Alembic's bookkeeping


class SchemaMismatch(RuntimeError):
    """The database's schema is not this version's; the message says what to do."""


class SchemaOutdated(SchemaMismatch):
    """An older version made the database: `xiaonuan migrate` upgrades it."""


class SchemaTooNew(SchemaMismatch):
    """A newer version made the database: this code must not write to it."""


class SchemaUnrecognised(SchemaMismatch):
    """The database holds tables that match no version of Xiaonuan."""


@dataclass(frozen=True)
class SchemaStatus:
    current: Optional[str]  # the database's revision; None: no Xiaonuan tables yet
    head: str  # this code's revision
    versioned: bool  # the revision is recorded (alembic_version), not recognised from the tables

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def pending(self) -> List[str]:
        """Revisions an upgrade runs, oldest first."""
        if self.current is None or self.up_to_date:
            return []
        steps = _script().iterate_revisions(self.head, self.current)
        return [step.revision for step in reversed(list(steps))]


@functools.lru_cache(maxsize=1)
def _script():  # type: ignore[no-untyped-def]
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def all_revisions() -> Set[str]:
    return {script.revision for script in _script().walk_revisions()}


def head_revision() -> str:
    return _script().get_current_head()


def _config(connection: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def tables_lacking_columns(connection: Connection) -> List[str]:
    """This version's tables that are missing, or lack some of this version's columns, in the database."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    lacking = []
    for table in Base.metadata.sorted_tables:
        if table.name not in tables or not {column.name for column in table.columns} <= {
                column["name"] for column in inspector.get_columns(table.name)}:
            lacking.append(table.name)
    return lacking


def _has_models_columns(connection: Connection) -> bool:
    return not tables_lacking_columns(connection)


def _status(connection: Connection, engine: Engine) -> SchemaStatus:
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is not None:
            if revision not in all_revisions():
                raise SchemaTooNew(
                    f"the database {_describe(engine)} was made by a newer version of Xiaonuan (schema revision "
                    f"{revision}; this version knows up to {head}); run that version, or restore a backup made "
                    "by this one")
            return SchemaStatus(revision, head, versioned=True)
    if not tables - NOT_OURS:
        return SchemaStatus(None, head, versioned=False)
    if _has_models_columns(connection):
        return SchemaStatus(head, head, versioned=False)
    baseline_tables = set(_script().get_revision(BASELINE).module.TABLES)
    if baseline_tables <= tables:
        return SchemaStatus(BASELINE, head, versioned=False)
    raise SchemaUnrecognised(
        f"the database {_describe(engine)} holds tables ({', '.join(sorted(tables - NOT_OURS)[:6])}…) that match "
        "no version of Xiaonuan; point DATABASE_URL at Xiaonuan's database or at an empty one")


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        return _status(connection, engine)


def _stamp(connection: Connection, revision: str) -> None:
    from alembic import command

    command.stamp(_config(connection), revision)


def create_schema(engine: Engine) -> None:
    """An empty database gets this version's tables; one at this version is accepted (and its
    revision recorded if it was not); any other is refused with what to do."""
    with engine.begin() as connection:
        status = _status(connection, engine)
        if status.current is None:
            Base.metadata.create_all(connection)
            _stamp(connection, status.head)
            return
        if status.up_to_date:
            if not status.versioned:
                _stamp(connection, status.head)
            return
    raise SchemaOutdated(
        f"the database {_describe(engine)} was made by an older version of Xiaonuan (schema revision "
        f"{status.current}, this version is {status.head}). Run `xiaonuan migrate` (or `make run`, which does): "
        "it backs the database up first and upgrades it in place, keeping every row")


@contextmanager
def _one_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose whole upgrade is one transaction, DDL included.

    PostgreSQL's DDL is transactional. Python's sqlite3 module commits before DDL on its own, so
    here it is told to stay out of the way and the transaction is begun explicitly; SQLite's own
    procedure for schema changes turns foreign keys off meanwhile and checks them before commit.
    """
    from actions.db.session import make_engine

    migrating = make_engine(engine.url.render_as_string(hide_password=False))
    if migrating.dialect.name == "sqlite":
        @event.listens_for(migrating, "connect")
        def _manual_transactions(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")

        @event.listens_for(migrating, "begin")
        def _begin(connection) -> None:  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        with migrating.begin() as connection:
            yield connection
            if migrating.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the upgrade would break {len(broken)} references, e.g. {broken[0]}")
    finally:
        migrating.dispose()


@dataclass(frozen=True)
class UpgradeReport:
    before: Optional[str]  # None: the database was empty
    after: str
    applied: List[str]
    backup: Optional[str]  # where the database was copied first


def run_revisions(engine: Engine, target: str = "head", stamp_as: Optional[str] = None) -> None:
    """Run the revisions up to `target` in one transaction (first recording `stamp_as` as the database's
    revision when it has none); an exception from any of them leaves the database as it was."""
    from alembic import command

    with _one_transaction(engine) as connection:
        if stamp_as is not None:
            _stamp(connection, stamp_as)
        command.upgrade(_config(connection), target)
        if target == "head" and not _has_models_columns(connection):
            raise RuntimeError("after the upgrade the tables still differ from this version's; nothing was changed")


def upgrade_schema(engine: Engine, backup: Optional[Callable[[SchemaStatus], Optional[str]]] = None) -> UpgradeReport:
    """Bring the database to this version's schema. `backup` runs first when there is data to upgrade
    and returns where the copy went; an exception from it, or from any revision, leaves the database
    untouched."""
    status = schema_status(engine)
    if status.current is None or status.up_to_date:
        create_schema(engine)
        return UpgradeReport(status.current, status.head, [], None)
    copied = backup(status) if backup is not None else None
    run_revisions(engine, "head", stamp_as=None if status.versioned else status.current)
    return UpgradeReport(status.current, status.head, status.pending, copied)


def downgrade_schema(engine: Engine, target: str,
                     backup: Optional[Callable[[SchemaStatus], Optional[str]]] = None) -> UpgradeReport:
    """Take the database back to an older revision (`xiaonuan migrate --down-to`), after the caller's
    backup, in one transaction. What the later revisions added is dropped with what it holds."""
    from alembic import command

    status = schema_status(engine)
    if status.current is None:
        raise SchemaMismatch("the database is empty: there is nothing to take back")
    known = all_revisions()
    if target not in known:
        raise SchemaMismatch(f"there is no schema revision {target!r} (known: {', '.join(sorted(known))})")
    steps = [step.revision for step in _script().iterate_revisions(status.current, target)
             if step.revision != target]
    if not steps:
        return UpgradeReport(status.current, status.current, [], None)
    copied = backup(status) if backup is not None else None
    with _one_transaction(engine) as connection:
        if not status.versioned:
            _stamp(connection, status.current)
        command.downgrade(_config(connection), target)
    return UpgradeReport(status.current, target, steps, copied)
