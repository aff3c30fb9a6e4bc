"""`xiaonuan backup` and `xiaonuan restore` on real SQLite files, through the command line."""
from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

import pytest
from sqlalchemy import func, select

from actions.db.models import AuditLog, Resident
from actions.db.schema import BASELINE, run_revisions
from actions.db.session import make_engine
from bot.ops.cli import main
from bot.ops.lifecycle.backup import backup_sqlite
from tests.unit.bot.ops.lifecycle.conftest import Core, district, old_records

STAMP = "20261123-080000"  # the frozen clock


def database_file(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def dump(path: Path) -> Dict[str, List[tuple]]:
    """Every row of every table, in storage order (read-only, leaves no files behind)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall() for table in tables}
    finally:
        connection.close()


@pytest.fixture()
def live(core, sessions, database_url) -> Path:
    """The test database with conversations and old records in it."""
    old_records(sessions)
    district(core)
    return database_file(database_url)


def test_backup_then_restore_into_a_fresh_database_gives_back_every_row(live, tmp_path, monkeypatch, capsys) -> None:
    original = dump(live)
    backup = tmp_path / "backups" / "xiaonuan-backup.db"
    backup.parent.mkdir()
    assert main(["backup", str(backup)]) == 0
    assert f"[backup] {backup}: 6 residents" in capsys.readouterr().out
    fresh = tmp_path / "fresh" / "xiaonuan.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{fresh}")
    assert main(["restore", str(backup)]) == 0
    said = capsys.readouterr().out
    assert f"[restore] {fresh} restored from {backup}" in said and "before-restore" not in said
    restored = dump(fresh)
    assert restored.keys() == original.keys() and original["events"]
    audit = restored.pop("audit_log")
    assert audit[:-1] == original.pop("audit_log"), "the restore adds its own audit entry, after the old ones"
    assert audit[-1][1:4] == ("system", "restore", "database")
    assert restored == original
    # Rasa reads the restored conversations as it wrote them.
    assert ([e.as_dict() for e in Core(f"sqlite:///{fresh}").retrieve("kiosk-home-1").events]
            == [e.as_dict() for e in Core(f"sqlite:///{live}").retrieve("kiosk-home-1").events])


def test_a_backup_is_one_checked_file_and_is_audited(live, tmp_path, sessions) -> None:
    backup = tmp_path / "one.db"
    assert main(["backup", str(backup)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".one", "one"))) == ["one.db"]
    connection = sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    with sessions() as session:
        entry = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (entry.action, entry.detail) == ("backup", f"to {backup}")


def test_a_backup_taken_while_the_assistant_writes_is_one_moment(live, tmp_path, sessions) -> None:
    """A writer adds audit rows in pairs, one transaction per pair; every backup holds whole pairs."""
    stop = threading.Event()

    def write_pairs() -> None:
        while not stop.is_set():
            with sessions.begin() as session:
                session.add_all([AuditLog(actor="test", action="pair"), AuditLog(actor="test", action="pair")])

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        counts = []
        for number in range(5):
            copy = backup_sqlite(live, tmp_path / f"moment-{number}.db").path
            connection = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
            counts.append(connection.execute("SELECT count(*) FROM audit_log WHERE action = 'pair'").fetchone()[0])
            connection.close()
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert all(count % 2 == 0 for count in counts), counts
    assert counts[-1] > 0


def test_restore_over_a_database_keeps_the_previous_one_beside_it(live, tmp_path, sessions, capsys) -> None:
    backup = tmp_path / "before.db"
    assert main(["backup", str(backup)]) == 0
    with sessions.begin() as session:
        session.add(Resident(name="赵新来", birth_date=dt.date(1950, 1, 1)))
    assert main(["restore", str(backup)]) == 0
    kept = live.with_name(f"{live.name}.before-restore-{STAMP}")
    assert f"[restore] the previous database is kept as {kept}" in capsys.readouterr().out
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Resident).where(Resident.name == "赵新来")) == 0
    assert ("赵新来",) in [(row[1],) for row in dump(kept)["residents"]]
    assert main(["restore", str(backup)]) == 0, "a second restore the same minute keeps another copy"
    assert live.with_name(f"{live.name}.before-restore-{STAMP}-2").exists()


def _not_sqlite(path: Path, _backup: Path) -> None:
    path.write_text("这不是数据库，只是一段文字。\n" * 50, encoding="utf-8")


def _other_sqlite(path: Path, _backup: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.commit()
    connection.close()


def _truncated(path: Path, backup: Path) -> None:
    data = backup.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _missing_a_column(path: Path, backup: Path) -> None:
    path.write_bytes(backup.read_bytes())
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE residents DROP COLUMN flags_updated_at")
    connection.commit()
    connection.close()


def _newer_version(path: Path, backup: Path) -> None:
    path.write_bytes(backup.read_bytes())
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("make,message", [
    (_not_sqlite, "is not an SQLite database"),
    (_other_sqlite, "is an SQLite database but not a Xiaonuan one"),
    (_truncated, "is damaged"),
    (_missing_a_column, "says it has this version's schema but tables residents lack columns of it"),
    (_newer_version, "was made by a newer version of Xiaonuan; restore it with that version"),
    (None, "does not exist"),
])
def test_restore_refuses_what_is_not_an_intact_xiaonuan_backup(live, tmp_path, capsys, make, message) -> None:
    good = tmp_path / "good.db"
    assert main(["backup", str(good)]) == 0
    before = dump(live)
    candidate = tmp_path / "candidate.db"
    if make is not None:
        make(candidate, good)
    capsys.readouterr()
    assert main(["restore", str(candidate)]) == 1
    assert message in capsys.readouterr().err
    assert dump(live) == before
    assert not list(live.parent.glob("*.before-restore-*"))


def test_restore_refuses_while_the_assistant_runs_unless_forced(live, tmp_path, database_url, capsys) -> None:
    backup = tmp_path / "b.db"
    assert main(["backup", str(backup)]) == 0
    # Idle like the real servers between turns: configured for the database, file not open.
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "rasa", "run"],
                              env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"})
    try:
        time.sleep(0.3)
        assert main(["restore", str(backup)]) == 1
        said = capsys.readouterr().err
        assert "the assistant seems to be running" in said and f"process {server.pid}" in said
        assert main(["restore", "--force", str(backup)]) == 0
    finally:
        server.kill()
        server.wait(timeout=30)
    assert main(["restore", str(backup)]) == 0


def test_restore_refuses_while_another_program_has_the_file_open(live, tmp_path, capsys) -> None:
    backup = tmp_path / "b.db"
    assert main(["backup", str(backup)]) == 0
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sqlite3, sys, time\n"
                               "c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM residents')\n"
                               "print('open', flush=True); time.sleep(120)", str(live)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert main(["restore", str(backup)]) == 1
        assert f"process {holder.pid}" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_backup_into_a_directory_never_over_a_file_unless_forced(live, tmp_path, capsys) -> None:
    folder = tmp_path / "nightly"
    folder.mkdir()
    assert main(["backup", str(folder)]) == 0
    assert (folder / f"xiaonuan-{STAMP}.db").is_file()
    capsys.readouterr()
    assert main(["backup", str(folder / f"xiaonuan-{STAMP}.db")]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["backup", "--force", str(folder / f"xiaonuan-{STAMP}.db")]) == 0
    assert main(["backup", str(live)]) == 2
    assert "is the database itself" in capsys.readouterr().err
    assert main(["backup", str(tmp_path / "no-such-dir" / "x.db")]) == 1


def test_backup_of_a_database_that_does_not_exist_says_so(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nothing.db'}")
    assert main(["backup", str(tmp_path / "b.db")]) == 1
    assert "there is no database at" in capsys.readouterr().err


@pytest.mark.parametrize("command,tool", [("backup", "pg_dump --format=custom --file=/srv/x.dump "),
                                          ("restore", "pg_restore --clean --if-exists --no-owner")])
def test_postgresql_gets_the_line_for_its_own_tools(monkeypatch, capsys, command, tool) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://xiaonuan:s3cret@db.example:5432/xiaonuan")
    assert main([command, "/srv/x.dump"]) == 2
    said = capsys.readouterr().err
    assert tool in said and "postgresql://xiaonuan@db.example:5432/xiaonuan" in said
    assert "s3cret" not in said


def test_a_database_an_older_version_made_is_backed_up_restored_and_then_upgraded(tmp_path, monkeypatch,
                                                                                  capsys) -> None:
    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    run_revisions(engine, BASELINE)  # the first release's schema
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")  # the first release had no migrations
        connection.exec_driver_sql("INSERT INTO residents (id, name, gender, birth_date, phone, address, dietary_notes, flags, "
                                   "speech_rate_factor, created_at) VALUES (1, '张桂英', '女', '1941-03-12', '', '', '', '', 1.0, '2026-11-01')")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{old}")
    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    assert "the audit entry could not be written" in capsys.readouterr().err
    assert dump(tmp_path / "copy.db") == dump(old)
    assert main(["restore", "--force", str(tmp_path / "copy.db")]) == 0
    assert "older version (schema 0001); `xiaonuan migrate`" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert "upgraded the database from schema 0001" in capsys.readouterr().out
    assert dump(old)["residents"][0][:2] == (1, "张桂英")


def test_a_database_in_a_shared_folder_leaves_the_folder_open_to_others(tmp_path) -> None:
    """A database put in /tmp-like folder (sticky bit) must not close that folder to everybody else."""
    import os
    import stat

    from bot.kernel.private_files import private_file

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    database = private_file(shared / "xiaonuan.db")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    own = private_file(tmp_path / "own" / "xiaonuan.db")
    assert stat.S_IMODE(own.parent.stat().st_mode) == 0o700
