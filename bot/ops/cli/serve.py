"""`xiaonuan actions` and `xiaonuan core`: one server each, in the foreground, for the scale-out layout
(several cores behind a load balancer, action servers, PostgreSQL, Redis); `make run` starts both itself."""
from __future__ import annotations

import argparse
import os
import sys

from bot.kernel.settings import PROJECT_ROOT, load_settings


def cmd_actions(args: argparse.Namespace) -> int:
    from bot.ops.launcher import actions_command, server_environment

    settings = load_settings()
    if not settings.action_token:
        print("[actions] set XIAONUAN_ACTION_TOKEN: every core presents it to the action servers", file=sys.stderr)
        return 2
    command = actions_command(args.port)
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, server_environment(settings))
    return 1  # not reached


def cmd_core(args: argparse.Namespace) -> int:
    from bot.ops.launcher import core_command, server_environment, write_runtime_config
    from bot.ops.training import current_model

    settings = load_settings()
    problems = []
    if not settings.channel_secret:
        problems.append("set XIAONUAN_CHANNEL_SECRET: every core and every channel must share one secret")
    if not settings.action_token:
        problems.append("set XIAONUAN_ACTION_TOKEN: the token this core presents to the action servers")
    if args.replica and not settings.redis_url:
        problems.append("set REDIS_URL: cores that share conversations need Rasa's Redis lock store")
    if args.replica and settings.database_url.startswith("sqlite"):
        problems.append("set DATABASE_URL to PostgreSQL: cores on several machines cannot share a SQLite file")
    model = current_model(settings.model_dir)
    if model is None:
        problems.append(f"no trained model in {settings.model_dir}: run `xiaonuan train` first")
    if problems:
        for problem in problems:
            print(f"[core] {problem}", file=sys.stderr)
        return 2
    run_dir = settings.run_dir / f"core-{args.port}"
    endpoints, credentials = write_runtime_config(run_dir, settings, 0, actions_url=args.actions_url)
    command = core_command(model, endpoints, credentials, settings.host, args.port)
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, server_environment(settings))
    return 1  # not reached


def add_serve_commands(sub: argparse._SubParsersAction) -> None:
    actions = sub.add_parser("actions", help="the action server alone, in the foreground")
    actions.add_argument("--port", type=int, default=5055)
    actions.set_defaults(func=cmd_actions)
    core = sub.add_parser("core", help="one Rasa server (dialogue core) alone, in the foreground")
    core.add_argument("--port", type=int, default=5005)
    core.add_argument("--actions-url", default="http://127.0.0.1:5055/webhook",
                      help="the action servers' address (one server, or their load balancer)")
    core.add_argument("--replica", action="store_true",
                      help="one of several cores: insist on PostgreSQL and Redis")
    core.set_defaults(func=cmd_core)
