"""Upgrading a first release's database in place (what `make run` does after an update).

Builds a throwaway SQLite database at the first release's schema (revision 0001, no
alembic_version, as that release left it) with the demo district, N alerts and N conversations
(Rasa's events), then times `xiaonuan migrate`'s two steps: the backup (SQLite's backup API) and
the upgrade to this version, in one transaction. Prints a markdown table and appends it to
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section  # noqa: E402
from bench.console_conversations import FROZEN_NOW, write_conversations  # noqa: E402


def first_release_database(url: str, alerts: int, now: dt.datetime) -> None:
    from sqlalchemy import text

    from actions.db.schema import BASELINE, run_revisions
    from actions.db.seed import seed_demo_data
    from actions.db.session import make_engine, session_factory

    engine = make_engine(url)
    run_revisions(engine, BASELINE)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    seed_demo_data(session_factory(engine), now.date())
    rows = [{"rid": 1 + index % 6, "sender": f"kiosk-{index}", "at": now - dt.timedelta(minutes=index)}
            for index in range(alerts)]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO alerts (resident_id, sender_id, channel, text, location, status, "
                                "created_at, note) VALUES (:rid, :sender, 'kiosk', '我摔倒了', '家里', "
                                "'resolved', :at, '')"), rows)
    engine.dispose()


def main() -> None:
    from actions.db.schema import schema_status, upgrade_schema
    from actions.db.session import make_engine
    from bot.ops.lifecycle.backup import backup_sqlite

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000, help="alerts and conversations each")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    now = dt.datetime.fromisoformat(FROZEN_NOW)
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "old.db"
        url = f"sqlite:///{database}"
        first_release_database(url, args.rows, now)
        events = write_conversations(url, args.rows, 0, now, seed=5)
        size_mib = database.stat().st_size / 2 ** 20
        timings = {}

        def backup(status) -> str:  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            backup_sqlite(database, Path(tmp) / "before.db")
            timings["backup"] = time.perf_counter() - began
            return "before.db"

        engine = make_engine(url)
        began = time.perf_counter()
        report = upgrade_schema(engine, backup)
        total = time.perf_counter() - began
        assert schema_status(engine).up_to_date
        engine.dispose()
    lines = [f"SQLite, {size_mib:.0f} MiB: the demo district, {args.rows:,} alerts, {args.rows:,} conversations "
             f"({events:,} events), at the first release's schema without a version record.", "",
             "| step | seconds |", "|---|---|",
             f"| backup (SQLite backup API, checked) | {timings['backup']:.2f} |",
             f"| upgrade {report.before} → {report.after} ({', '.join(report.applied)}), one transaction | "
             f"{total - timings['backup']:.2f} |",
             f"| `xiaonuan migrate` in all | {total:.2f} |"]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Schema upgrade of a first-release database (bench/migrate.py)", lines)


if __name__ == "__main__":
    main()
