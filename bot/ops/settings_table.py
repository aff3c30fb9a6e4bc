"""`xiaonuan settings-table`: the settings table of docs/operations.md, written from the declarations
in bot/kernel/settings.py (tests/unit/bot/kernel/test_settings.py fails when the page and the code drift apart)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, List

from bot.kernel.setting_fields import EnvSetting
from bot.kernel.settings import PROJECT_ROOT, Settings, declared_settings

DOCS_PAGE = PROJECT_ROOT / "docs" / "operations.md"
BEGIN = "<!-- settings-table: begin (written by `xiaonuan settings-table --write`; do not edit by hand) -->"
END = "<!-- settings-table: end -->"


def _shown(value: Any, declared: EnvSetting) -> str:
    """A default as a reader of the table needs it: project paths relative, no empty code spans."""
    if declared.shown_default is not None:
        return declared.shown_default
    if value is None or value == "":
        return "—"
    if isinstance(value, Path):
        try:
            return f"`{value.relative_to(PROJECT_ROOT)}`"
        except ValueError:
            return f"`{value}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{declared.render(value)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def settings_table() -> str:
    """The Markdown table: one row per environment variable, concern by concern; † marks a variable
    `child_environment` does not hand on."""
    defaults = Settings()
    lines: List[str] = ["| variable | default | what it does | concern |", "|---|---|---|---|"]
    for concern, name, declared in declared_settings():
        shown = _shown(getattr(defaults, name), declared)
        mark = "" if declared.to_children else " †"  # not handed on to the processes `make run` starts
        lines.append(f"| `{declared.env}`{mark} | {_cell(shown)} | {_cell(declared.doc)} | {concern} |")
    return "\n".join(lines) + "\n"


def replace_table(page: str, table: str) -> str:
    """The page with the text between the markers replaced by `table`."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the page has no settings table markers ({BEGIN} … {END})")
    return page[:start + len(BEGIN)] + "\n" + table + page[end:]


def table_in(page: str) -> str:
    """The text between the markers, as `settings_table()` writes it."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the page has no settings table markers ({BEGIN} … {END})")
    return page[start + len(BEGIN):end].lstrip("\n")


def cmd_settings_table(args: argparse.Namespace) -> int:
    table = settings_table()
    if not args.write:
        sys.stdout.write(table)
        return 0
    page = DOCS_PAGE.read_text(encoding="utf-8")
    updated = replace_table(page, table)
    if updated != page:
        DOCS_PAGE.write_text(updated, encoding="utf-8")
        print(f"[settings-table] {DOCS_PAGE.relative_to(PROJECT_ROOT)} updated")
    else:
        print(f"[settings-table] {DOCS_PAGE.relative_to(PROJECT_ROOT)} is up to date")
    return 0


def add_settings_table_command(sub: Any) -> None:
    table = sub.add_parser("settings-table", help="print the settings table of docs/operations.md, "
                                                  "written from bot/kernel/settings.py")
    table.add_argument("--write", action="store_true", help="replace the table in docs/operations.md")
    table.set_defaults(func=cmd_settings_table)
