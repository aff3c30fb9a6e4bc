"""Upgrading the database in place to this version's schema, after a backup (`xiaonuan migrate`).

`make run` upgrades through `xiaonuan seed`, which calls `migrate_database` too. The backup is the
existing one (SQLite's online backup API, `xiaonuan backup`; pg_dump for PostgreSQL) and is taken
only when there is data to upgrade. Docs: docs/migrations.md.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

from bot.kernel.settings import Settings


def _pg_dump() -> Optional[str]:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)
    return candidates[0] if candidates else None


def dump_postgres(database_url: str, target: Path) -> None:
    """pg_dump the database to `target` (custom format, for pg_restore); raises with pg_dump's words."""
    from sqlalchemy.engine import make_url

    from bot.kernel.private_files import private_file
    from bot.ops.lifecycle.backup import BackupError, postgres_target

    tool = _pg_dump()
    if tool is None:
        raise BackupError("pg_dump is not installed, so the database cannot be backed up before the upgrade")
    environment = dict(os.environ)
    password = make_url(database_url).password
    if password:
        environment["PGPASSWORD"] = str(password)
    partial = target.with_name(f".{target.name}.partial")
    private_file(partial)
    done = subprocess.run([tool, "--format=custom", f"--file={partial}", postgres_target(database_url)],
                          env=environment, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        words = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"pg_dump failed: {words[-1] if words else done.returncode}")
    os.replace(partial, target)


def backup_before_upgrade(settings: Settings, directory: Path, stamp: str) -> Callable:
    """The backup step `upgrade_schema` runs before changing anything: returns where the copy went."""
    def backup(status) -> str:  # type: ignore[no-untyped-def]
        from bot.kernel.private_files import private_dir
        from bot.ops.lifecycle.backup import backup_sqlite, sqlite_path

        private_dir(directory)
        name = f"xiaonuan-before-{status.head}-{stamp}"
        database = sqlite_path(settings.database_url)
        if database is None:
            target = directory / f"{name}.dump"
            dump_postgres(settings.database_url, target)
        else:
            target = directory / f"{name}.db"
            backup_sqlite(database, target)
        return str(target)

    return backup


def default_backup_dir(settings: Settings) -> Path:
    """`backups/` beside a SQLite database; var/backups for PostgreSQL."""
    from bot.ops.lifecycle.backup import sqlite_path

    database = sqlite_path(settings.database_url)
    return (database.parent if database is not None else settings.run_dir.parent) / "backups"


def migrate_database(settings: Settings, backup_dir: Optional[Path] = None, say: Callable[[str], None] = print,
                     prefix: str = "[migrate]", down_to: Optional[str] = None) -> int:
    """Upgrade the database (or take it back to revision `down_to`), backing it up first; 0 when done."""
    from actions.db.schema import SchemaMismatch, downgrade_schema, upgrade_schema
    from actions.db.session import make_engine
    from bot.ops.lifecycle.audit import audit, stamp
    from bot.ops.lifecycle.backup import BackupError

    directory = backup_dir or default_backup_dir(settings)
    engine = make_engine(settings.database_url)
    try:
        backup = backup_before_upgrade(settings, directory, stamp(settings))
        report = downgrade_schema(engine, down_to, backup) if down_to else upgrade_schema(engine, backup)
    except (SchemaMismatch, BackupError) as exc:
        print(f"{prefix} {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a revision failed: its transaction was rolled back
        print(f"{prefix} the {'downgrade' if down_to else 'upgrade'} failed and was undone; the database is as it "
              f"was ({exc})", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if report.applied:
        say(f"{prefix} {'took the database back' if down_to else 'upgraded the database'} from schema {report.before} to {report.after} "
            f"({', '.join(report.applied)}); the previous database is backed up at {report.backup}")
        audit(settings, "migrate", "system:migrate",
               f"schema {report.before} -> {report.after}; backup {report.backup}")
    elif report.before is None:
        say(f"{prefix} created the database at schema {report.after}")
    return 0
