"""Schema migrations (Alembic) on real SQLite and PostgreSQL databases: a database the previous release
made, with rows in every table, upgrades to this version keeping every row; a failing revision leaves the
database as it was; a newer database is refused; the revisions build exactly the tables the code uses."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy import types as sa_types
from sqlalchemy.engine import Engine

from actions.db import schema
from actions.db.models import Alert, Base, Resident
from actions.db.schema import (
    BASELINE,
    SchemaOutdated,
    SchemaTooNew,
    create_schema,
    downgrade_schema,
    head_revision,
    run_revisions,
    schema_status,
    upgrade_schema,
)
from actions.db.session import make_engine, session_factory

pytestmark = pytest.mark.both_databases

NOT_OURS = {"alembic_version", "events"}
# The revisions after the first release, oldest first, and the newest.
AFTER_BASELINE = ["0002", "0004"]
HEAD = AFTER_BASELINE[-1]
# SQL column types and the Python values written into them (DateTime before Date; Boolean before Integer)
SQL_TYPES = ((sa_types.Boolean, bool), (sa_types.Integer, int), (sa_types.Float, float),
             (sa_types.DateTime, dt.datetime), (sa_types.Date, dt.date))


@pytest.fixture()
def empty(database_url: str) -> Engine:
    """An empty database (the PostgreSQL fixture copies a template holding the schema: dropped here)."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        names = set(inspect(connection).get_table_names())
        if names:
            reflected = MetaData()
            reflected.reflect(connection)
            reflected.drop_all(connection)
    yield engine
    engine.dispose()


def _value(column, table_name: str, row: int):  # type: ignore[no-untyped-def]
    """A plausible value for a column, from its type: row 1 and row 2 differ where the column is unique."""
    kind = next((python for sql, python in SQL_TYPES if isinstance(column.type, sql)), str)
    if kind is bool:
        return row == 1
    if kind is int:
        return row
    if kind is float:
        return 1.5 * row
    if kind is dt.datetime:
        return dt.datetime(2026, 11, row, 8, 30)
    if kind is dt.date:
        return dt.date(2026, 11, row)
    length = getattr(column.type, "length", None) or 40
    return f"{table_name[:4]}{column.name[:6]}{row}"[:length]


def fill_every_table(engine: Engine) -> Dict[str, List[dict]]:
    """Two rows in every table of the database's schema, references pointing at real rows."""
    reflected = MetaData()
    written: Dict[str, List[dict]] = {}
    with engine.begin() as connection:
        reflected.reflect(connection)
        for table in reflected.sorted_tables:
            if table.name in NOT_OURS:
                continue
            rows = []
            for row in (1, 2):
                values = {column.name: _value(column, table.name, row) for column in table.columns}
                for foreign_key in table.foreign_keys:
                    target = foreign_key.column
                    values[foreign_key.parent.name] = written[target.table.name][row - 1][target.name]
                rows.append(values)
            connection.execute(table.insert(), rows)
            written[table.name] = rows
            keys = list(table.primary_key.columns)
            if connection.dialect.name == "postgresql" and len(keys) == 1 and keys[0].autoincrement is not False:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                                        f"(SELECT max({keys[0].name}) FROM {table.name})) "
                                        f"WHERE pg_get_serial_sequence('{table.name}', '{keys[0].name}') IS NOT NULL"))
    return written


def read_every_table(engine: Engine, tables: Dict[str, List[dict]]) -> Dict[str, List[dict]]:
    """The first rows of these tables (as many as were written), only the columns that were written, in key
    order: rows added later (the upgrade's audit entry) are not compared."""
    reflected = MetaData()
    with engine.connect() as connection:
        reflected.reflect(connection)
        found = {}
        for name, rows in tables.items():
            table = reflected.tables[name]
            columns = [table.c[column] for column in rows[0]]
            order = list(table.primary_key.columns) or columns
            found[name] = [dict(row._mapping) for row in connection.execute(
                select(*columns).order_by(*order).limit(len(rows)))]
    return found


def first_release_database(engine: Engine, unversioned: bool = True) -> Dict[str, List[dict]]:
    """A database as the first release left it (built from the baseline revision), with rows everywhere."""
    run_revisions(engine, BASELINE)
    if unversioned:  # the first release had no migrations: no alembic_version table
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
    return fill_every_table(engine)


def test_the_revisions_build_exactly_the_tables_the_code_uses(empty) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    run_revisions(empty, "head")
    with empty.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": lambda name, kind, _parents: name not in NOT_OURS})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert schema_status(empty).up_to_date and schema_status(empty).versioned


def test_a_first_release_database_upgrades_with_every_row_kept(empty, tmp_path) -> None:
    before = first_release_database(empty)
    assert len(before) == 29, "every table of the first release has rows"
    status = schema_status(empty)
    assert (status.current, status.versioned, status.pending) == (BASELINE, False, AFTER_BASELINE)
    with pytest.raises(SchemaOutdated, match="xiaonuan migrate"):
        create_schema(empty)  # a server never changes an older database by itself
    backed_up = []
    report = upgrade_schema(empty, backup=lambda status: backed_up.append(status.current) or "copy")
    assert (report.before, report.after, report.applied, report.backup) == (BASELINE, head_revision(), AFTER_BASELINE,
                                                                           "copy")
    assert backed_up == [BASELINE]
    assert read_every_table(empty, before) == before
    with session_factory(empty)() as session:  # the code reads the old rows, new columns at their defaults
        alert = session.get(Alert, 1)
        assert (alert.kind, alert.repeats, alert.escalated, alert.outcome) == ("help", 1, 0, None)
        assert session.get(Resident, 2).name == before["residents"][1]["name"]
        assert alert.words == []
    assert schema_status(empty).up_to_date
    assert upgrade_schema(empty).applied == [], "upgrading again changes nothing"


def test_a_database_made_before_migrations_but_at_this_version_is_only_recorded(empty) -> None:
    Base.metadata.create_all(empty)
    written = fill_every_table(empty)
    assert schema_status(empty) == schema.SchemaStatus(head_revision(), head_revision(), versioned=False)
    create_schema(empty)
    assert schema_status(empty).versioned
    assert read_every_table(empty, written) == written


def _failing_revisions(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """This version's revisions and one more that changes things, then fails half-way."""
    copy = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "9001_fails.py").write_text(f'''"""A revision that fails half-way (tests only)."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head_revision()}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("residents", sa.Column("nickname", sa.String(20), nullable=True))
    op.create_table("half_made", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("UPDATE residents SET name = 'changed'")
    raise RuntimeError("this revision fails half-way")
''', encoding="utf-8")
    monkeypatch.setattr(schema, "MIGRATIONS", copy)
    schema._script.cache_clear()


def _shape(engine: Engine) -> Dict[str, List[str]]:
    inspector = inspect(engine)
    return {name: sorted(column["name"] for column in inspector.get_columns(name))
            for name in sorted(inspector.get_table_names())}


@pytest.mark.parametrize("versioned", [False, True], ids=["first-release", "recorded"])
def test_a_failing_upgrade_leaves_the_database_as_it_was(empty, tmp_path, monkeypatch, versioned) -> None:
    before = first_release_database(empty, unversioned=not versioned)
    shape = _shape(empty)
    _failing_revisions(tmp_path, monkeypatch)
    try:
        with pytest.raises(RuntimeError, match="fails half-way"):
            upgrade_schema(empty, backup=lambda status: "copy")
        assert _shape(empty) == shape, "no column, table or version record was left behind"
        assert read_every_table(empty, before) == before
        assert schema_status(empty).current == BASELINE
    finally:
        schema._script.cache_clear()


def test_a_database_a_newer_version_made_is_refused(empty) -> None:
    create_schema(empty)
    with empty.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for attempt in (create_schema, upgrade_schema, schema_status):
        with pytest.raises(SchemaTooNew, match="newer version of Xiaonuan"):
            attempt(empty)


def test_xiaonuan_migrate_backs_up_then_upgrades_and_audits(empty, database_url, tmp_path, monkeypatch,
                                                            capsys) -> None:
    from actions.db.models import AuditLog
    from bot.ops.cli import main

    before = first_release_database(empty)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["migrate", "--status"]) == 0
    assert f"at schema 0001; this version is {HEAD} (to run: {', '.join(AFTER_BASELINE)})" in capsys.readouterr().out
    backups = tmp_path / "backups"
    assert main(["migrate", "--backup-dir", str(backups)]) == 0
    said = capsys.readouterr().out
    [copy] = list(backups.iterdir())
    assert f"upgraded the database from schema 0001 to {HEAD} ({', '.join(AFTER_BASELINE)}); the previous database is backed up at {copy}" \
        in said
    assert copy.stat().st_size > 10_000 and copy.stat().st_mode & 0o077 == 0
    if database_url.startswith("sqlite"):
        from bot.ops.lifecycle.backup import check_backup

        assert check_backup(copy).rows["residents"] == 2, "the copy is the old database, rows and all"
    assert read_every_table(empty, before) == before
    with session_factory(empty)() as session:
        [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "migrate")).all()
        assert entry.detail.startswith(f"schema 0001 -> {HEAD}; backup ")
    assert main(["migrate"]) == 0 and "upgraded" not in capsys.readouterr().out


def test_make_runs_seed_step_upgrades_an_older_database_first(tmp_path, monkeypatch, capsys) -> None:
    from actions.db.seed import seed_demo_data
    from bot.ops.cli import main
    from tests.conftest import TODAY

    url = f"sqlite:///{tmp_path / 'xiaonuan.db'}"
    engine = make_engine(url)
    run_revisions(engine, BASELINE)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    seed_demo_data(session_factory(engine), TODAY)  # the demo district, as the first release wrote it
    with engine.connect() as connection:
        residents = connection.execute(text("SELECT * FROM residents ORDER BY id")).all()
        bookings = connection.execute(text("SELECT * FROM meal_bookings ORDER BY id")).all()
    assert residents
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["seed"]) == 0
    assert "[seed] upgraded the database from schema 0001" in capsys.readouterr().out
    assert list((tmp_path / "backups").glob(f"xiaonuan-before-{HEAD}-*.db"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT * FROM residents ORDER BY id")).all() == residents
        assert connection.execute(text("SELECT * FROM meal_bookings ORDER BY id")).all() == bookings
    assert schema_status(engine).up_to_date
    engine.dispose()


def test_a_downgrade_takes_the_database_back_to_the_first_release_keeping_its_rows(empty, database_url,
                                                                                  tmp_path) -> None:
    before = first_release_database(empty)
    upgrade_schema(empty)
    report = downgrade_schema(empty, BASELINE, backup=lambda status: "copy")
    assert (report.before, report.after, report.applied, report.backup) == (head_revision(), BASELINE, AFTER_BASELINE[::-1],
                                                                           "copy")
    assert schema_status(empty).current == BASELINE
    assert read_every_table(empty, before) == before
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    run_revisions(reference, BASELINE)  # the first release's schema, made afresh
    try:
        if database_url.startswith("sqlite"):
            assert _shape(empty) == _shape(reference)
        else:
            assert set(_shape(empty)) == set(_shape(reference))
            assert _shape(empty)["alerts"] == _shape(reference)["alerts"]
    finally:
        reference.dispose()
    assert upgrade_schema(empty).applied == AFTER_BASELINE, "and up again"
    assert read_every_table(empty, before) == before


def test_xiaonuan_migrate_down_to_backs_up_first_and_refuses_an_unknown_revision(empty, database_url, tmp_path,
                                                                                monkeypatch, capsys) -> None:
    from bot.ops.cli import main

    create_schema(empty)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["migrate", "--down-to", "0000"]) == 1
    assert "there is no schema revision '0000'" in capsys.readouterr().err
    backups = tmp_path / "backups"
    assert main(["migrate", "--down-to", BASELINE, "--backup-dir", str(backups)]) == 0
    assert f"took the database back from schema {head_revision()} to {BASELINE}" in capsys.readouterr().out
    assert len(list(backups.iterdir())) == 1
    assert schema_status(empty).current == BASELINE
