"""`xiaonuan seed | kitchen`: the demo district (after upgrading an older database) and the kitchen list."""
from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot.kernel.settings import load_settings


def cmd_seed(args: argparse.Namespace) -> int:
    from actions.db.seed import ensure_menus, seed_demo_data, sync_services
    from actions.db.session import make_engine, session_factory
    from bot.kernel.clock import local_today
    from bot.ops.lifecycle.migrate import migrate_database

    settings = load_settings()
    if migrate_database(settings, prefix="[seed]") != 0:  # an older database is upgraded first (backed up)
        return 1
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    written = seed_demo_data(sessions, local_today(settings), settings.services_config)
    if written:
        print("[seed] demo district written: " + ", ".join(f"{k} {v}" for k, v in written.items()))
    else:
        if sync_services(sessions, settings.services_config):
            print(f"[seed] service catalogue updated from {settings.services_config}")
        dishes = ensure_menus(sessions, local_today(settings))
        if dishes:
            print(f"[seed] demo menus for the coming week: {dishes} dishes")
    engine.dispose()
    return 0


def cmd_kitchen(args: argparse.Namespace) -> int:
    """Print the kitchen list of one day."""
    from actions.db.session import sessions_for
    from actions.meals.kitchen import format_kitchen_list, kitchen_list

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        print(f"--date must look like 2026-11-24, got {args.date!r}", file=sys.stderr)
        return 2
    with sessions_for(load_settings().database_url)() as session:
        print(format_kitchen_list(day, kitchen_list(session, day)))
    return 0


def add_data_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("seed", help="create or upgrade the database, with demo data if it is empty") \
        .set_defaults(func=cmd_seed)
    kitchen = sub.add_parser("kitchen", help="print the kitchen list (portions and dietary notes) of a day")
    kitchen.add_argument("--date", required=True, help="the day, YYYY-MM-DD")
    kitchen.set_defaults(func=cmd_kitchen)
