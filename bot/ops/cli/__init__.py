"""The `xiaonuan` command line, one module per command group; `main` builds the parser from the groups."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from bot.ops.cli.data import add_data_commands
from bot.ops.cli.devices import add_device_commands
from bot.ops.cli.lifecycle import add_lifecycle_commands
from bot.ops.cli.model import add_model_commands
from bot.ops.cli.run import add_run_commands
from bot.ops.cli.serve import add_serve_commands
from bot.ops.cli.staff import add_commands, add_family_commands, add_policy_commands
from bot.ops.settings_table import add_settings_table_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xiaonuan", description="Xiaonuan (小暖) community assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    add_run_commands(sub)  # run, kiosk, console, telegram, demo-voice
    add_model_commands(sub)  # train, validate, test-stories, voice-model
    add_data_commands(sub)  # seed, kitchen
    add_commands(sub)  # services: list, confirm, done, cancel, move; outbox
    add_policy_commands(sub)
    add_family_commands(sub)
    add_lifecycle_commands(sub)  # migrate, purge, backup, restore
    add_serve_commands(sub)  # actions, core (the scale-out layout)
    add_device_commands(sub)  # devices
    add_settings_table_command(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    from bot.kernel.private_files import private_umask

    private_umask()  # the database, logs and backups this process and its servers create: 0600 / 0700
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from bot.kernel.settings import load_settings

    try:  # a wrong setting is one clear line, not a traceback from deep inside a command
        load_settings()
    except ValueError as exc:
        print(f"[xiaonuan] {exc}. Change it and start again (the settings: docs/operations.md).", file=sys.stderr)
        return 2
    return args.func(args)
