"""The console's pages, one module per group; each adds its routes with `register(console)`."""
from __future__ import annotations

import importlib

MODULES = ("account", "alerts", "today", "conversations", "understood", "residents", "devices", "checkin", "numbers", "admin")


def register_all(console) -> None:  # type: ignore[no-untyped-def]
    for name in MODULES:
        try:
            module = importlib.import_module(f"bot.staff.views.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.staff.views.{name}":
                raise
            continue  # a page group not written yet
        module.register(console)
