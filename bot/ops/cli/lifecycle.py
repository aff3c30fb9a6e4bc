"""`xiaonuan migrate | purge | backup PATH | restore PATH`: the data's life cycle."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from bot.kernel.settings import Settings, load_settings
from bot.ops.lifecycle.audit import audit, stamp

KEPT = ("meal and service bookings, alerts and family answers, handoff requests, notices not yet delivered, "
        "the audit log, residents and staff")


def _settings(command: str) -> Optional[Settings]:
    try:
        return load_settings()
    except ValueError as exc:
        print(f"[{command}] {exc}", file=sys.stderr)
        return None


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, at least 1, got {text!r}")
    return days


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete conversations older than the retention period; bookings, alerts and the audit log stay."""
    from actions.db.schema import SchemaMismatch
    from actions.db.session import sessions_for
    from bot.kernel.clock import local_now
    from bot.ops.lifecycle.housekeeping import prune_records
    from bot.ops.lifecycle.purge import purge_conversations

    settings = _settings("purge")
    if settings is None:
        return 2
    if settings.trackers_url != settings.database_url:
        print("[purge] Rasa's conversations are kept in another database (XIAONUAN_TRACKER_STORE_URL); "
              "purge only works when they share the application database", file=sys.stderr)
        return 2
    days = args.days or settings.retention_days
    try:
        sessions = sessions_for(settings.database_url)
    except SchemaMismatch as exc:
        print(f"[purge] {exc}", file=sys.stderr)
        return 1
    now = local_now(settings)
    report = purge_conversations(sessions, now, days, settings.timezone, dry_run=args.dry_run, actor=args.by)
    records = prune_records(sessions, now, days, settings.timezone, dry_run=args.dry_run, actor=args.by)
    prefix = "[purge] dry run:" if args.dry_run else "[purge]"
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{prefix} conversations older than {days} days, from before "
          f"{report.cutoff.isoformat(sep=' ', timespec='minutes')} (local time)")
    if report.has_events:
        print(f"{prefix} {verb} {len(report.conversations_deleted)} conversations whole and the old sessions of "
              f"{len(report.conversations_trimmed)} others: {report.events} events, "
              f"{report.not_understood} not-understood turns, {report.summaries_removed} console summaries")
    else:
        print(f"{prefix} Rasa's events table is not in this database: no conversations to delete")
    gone = "old working records that would go" if args.dry_run else "old working records deleted"
    print(f"{prefix} {gone}: " + ", ".join(f"{name} {value}" for name, value in records.items()))
    print(f"{prefix} kept: {KEPT}")
    if args.dry_run:
        print(f"{prefix} nothing was deleted")
    return 0


def _sqlite_or_explain(settings: Settings, command: str, path: str) -> Optional[Path]:
    """The SQLite file; for PostgreSQL, print its own tool's command and return None."""
    from bot.ops.lifecycle.backup import postgres_commands, sqlite_path

    database = sqlite_path(settings.database_url)
    if database is None:
        dump, restore = postgres_commands(settings.database_url, path)
        tool = "pg_dump" if command == "backup" else "pg_restore"
        print(f"[{command}] DATABASE_URL is not SQLite; back up and restore PostgreSQL with its own tools "
              f"({tool}, as the database's owner; the password comes from ~/.pgpass or PGPASSWORD):", file=sys.stderr)
        print(f"  {dump if command == 'backup' else restore}", file=sys.stderr)
    return database


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database, consistently, while the assistant runs."""
    from bot.ops.lifecycle.backup import BackupError, backup_sqlite

    settings = _settings("backup")
    if settings is None:
        return 2
    database = _sqlite_or_explain(settings, "backup", args.path)
    if database is None:
        return 2
    target = Path(args.path).expanduser()
    if target.is_dir():
        target = target / f"xiaonuan-{stamp(settings)}.db"
    target = target.resolve()
    if target == database or target.name in (f"{database.name}-wal", f"{database.name}-shm"):
        print(f"[backup] {target} is the database itself; choose another file", file=sys.stderr)
        return 2
    if not target.parent.is_dir():
        print(f"[backup] the directory {target.parent} does not exist", file=sys.stderr)
        return 1
    if target.exists() and not args.force:
        print(f"[backup] {target} exists; choose another name, a directory, or pass --force to replace it",
              file=sys.stderr)
        return 1
    try:
        info = backup_sqlite(database, target)
    except BackupError as exc:
        print(f"[backup] {exc}", file=sys.stderr)
        return 1
    audit(settings, "backup", args.by, f"to {target}")
    print(f"[backup] {target}: {_summary(info.rows)}, {target.stat().st_size // 1024} KiB, integrity ok")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the SQLite database's content with a backup's, keeping the previous one beside it."""
    from bot.ops.lifecycle.backup import BackupError, check_backup, restore_sqlite
    from bot.ops.lifecycle.running import describe, processes_using

    settings = _settings("restore")
    if settings is None:
        return 2
    database = _sqlite_or_explain(settings, "restore", args.path)
    if database is None:
        return 2
    backup = Path(args.path).expanduser().resolve()
    try:
        info = check_backup(backup)
    except BackupError as exc:
        print(f"[restore] refused: {exc}", file=sys.stderr)
        return 1
    running = processes_using(database)
    if running and not args.force:
        print(f"[restore] refused: the assistant seems to be running on {database} ({describe(running)}). "
              "Stop it (Ctrl-C where `make run` runs) and restore again, or pass --force to restore into "
              "the running database", file=sys.stderr)
        return 1
    try:
        kept = restore_sqlite(backup, database, stamp(settings))
    except BackupError as exc:
        print(f"[restore] {exc}", file=sys.stderr)
        return 1
    audit(settings, "restore", args.by, f"from {backup}; previous content kept as {kept or 'nothing'}")
    if kept is not None:
        print(f"[restore] the previous database is kept as {kept}")
    print(f"[restore] {database} restored from {backup}: {_summary(info.rows)}")
    _say_if_older(settings)
    return 0


def _say_if_older(settings: Settings) -> None:
    """After restoring a backup an older version made: how it becomes usable again."""
    from actions.db.schema import SchemaMismatch, schema_status
    from actions.db.session import make_engine

    engine = make_engine(settings.database_url)
    try:
        status = schema_status(engine)
    except SchemaMismatch:
        return
    finally:
        engine.dispose()
    if status.current is not None and not status.up_to_date:
        print(f"[restore] the backup was made by an older version (schema {status.current}); `xiaonuan migrate` "
              f"(or `make run`) upgrades it to {status.head}, keeping every row")


def _summary(rows: dict) -> str:
    names = (("residents", "residents"), ("meal_bookings", "meal bookings"), ("service_bookings", "service bookings"),
             ("alerts", "alerts"), ("events", "conversation events"))
    return ", ".join(f"{rows.get(table, 0)} {label}" for table, label in names)


def add_lifecycle_commands(sub: argparse._SubParsersAction) -> None:
    _add_migrate_command(sub)
    purge = sub.add_parser("purge", help="delete conversations older than the retention period "
                                         "(XIAONUAN_RETENTION_DAYS); bookings and alerts stay")
    purge.add_argument("--days", type=_days, help="keep this many days instead of the setting")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    purge.add_argument("--by", default="system", help="who runs it, for the audit log, e.g. staff:1")
    purge.set_defaults(func=cmd_purge)
    backup = sub.add_parser("backup", help="copy the SQLite database consistently, even while it runs")
    backup.add_argument("path", help="the backup file, or a directory for xiaonuan-<time>.db")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    backup.add_argument("--by", default="system", help="who runs it, for the audit log")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the SQLite database with a backup (the old one is kept)")
    restore.add_argument("path", help="a file `xiaonuan backup` made")
    restore.add_argument("--force", action="store_true", help="restore even though the assistant seems to run")
    restore.add_argument("--by", default="system", help="who runs it, for the audit log")
    restore.set_defaults(func=cmd_restore)


def cmd_migrate(args: argparse.Namespace) -> int:
    from actions.db.schema import SchemaMismatch, schema_status
    from actions.db.session import make_engine
    from bot.ops.lifecycle.migrate import migrate_database

    settings = _settings("migrate")
    if settings is None:
        return 2
    if args.status:
        engine = make_engine(settings.database_url)
        try:
            status = schema_status(engine)
        except SchemaMismatch as exc:
            print(f"[migrate] {exc}", file=sys.stderr)
            return 1
        finally:
            engine.dispose()
        if status.current is None:
            print(f"[migrate] the database is empty; `xiaonuan migrate` creates it at schema {status.head}")
        elif status.up_to_date:
            print(f"[migrate] the database is at schema {status.head}, this version's")
        else:
            print(f"[migrate] the database is at schema {status.current}; this version is {status.head} "
                  f"(to run: {', '.join(status.pending)})")
        return 0
    return migrate_database(settings, Path(args.backup_dir).expanduser() if args.backup_dir else None,
                            down_to=args.down_to or None)


def _add_migrate_command(sub: argparse._SubParsersAction) -> None:
    migrate = sub.add_parser("migrate", help="upgrade the database to this version's schema (backs it up first)")
    migrate.add_argument("--status", action="store_true", help="only say where the schema stands")
    migrate.add_argument("--down-to", default="", metavar="REVISION",
                         help="take the database back to an older revision (to run an older version); backs it up first")
    migrate.add_argument("--backup-dir", default="", help="where the backup goes (default: backups/ beside a SQLite database, var/backups)")
    migrate.set_defaults(func=cmd_migrate)
