"""`xiaonuan devices`: the device door and its silence round in the foreground (`make run` starts it too)."""
from __future__ import annotations

import argparse
import logging
import socket
import sys

from bot.kernel.settings import load_settings


def cmd_devices(args: argparse.Namespace) -> int:
    from actions.db.schema import SchemaMismatch
    from actions.db.session import sessions_for
    from bot.devices.server import PATH, build_device_app
    from bot.devices.watcher import SilenceWatcher

    logging.getLogger("bot.devices").setLevel(logging.INFO)
    settings = load_settings()
    try:
        sessions = sessions_for(settings.database_url)
    except SchemaMismatch as exc:
        print(f"[devices] {exc}", file=sys.stderr)
        return 1
    try:  # bound here, so a taken port is one clear line (Sanic would log a traceback and exit 0)
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        sock = socket.create_server((settings.host, settings.devices_port), family=family)
    except OSError as exc:
        print(f"[devices] the device door could not start on port {settings.devices_port}: {exc}",
              file=sys.stderr, flush=True)
        return 1
    port = sock.getsockname()[1]
    app = build_device_app(settings, sessions)
    watcher = SilenceWatcher(settings, sessions).start()
    print(f"[devices] device door on http://{settings.host}:{port}{PATH} (a device token is required)", flush=True)
    try:
        app.run(sock=sock, access_log=False, motd=False, workers=1)
    finally:
        watcher.stop()
        sock.close()
    return 0


def add_device_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("devices", help="the device door for SOS buttons and wristbands, alone (make run starts it too)") \
        .set_defaults(func=cmd_devices)
