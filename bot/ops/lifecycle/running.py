"""Is the assistant using a database right now? Checked before a restore replaces it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import psutil
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.kernel.settings import PROJECT_ROOT, Settings

# Words in the command line of the assistant's processes: `xiaonuan run|console|telegram`,
# `python -m bot.ops.cli …`, `python -m rasa run`, `python -m rasa_sdk`.
_OUR_COMMANDS = ("xiaonuan", "bot.ops.cli", "rasa")


def processes_using(database: Path) -> List[str]:
    """Other processes that have the SQLite file open, or are Xiaonuan processes configured to use it.

    The assistant opens the file only while it reads or writes, so an idle one is found by its
    DATABASE_URL (every process `make run` starts has it) or, without one, by running from this
    checkout on the default database.
    """
    database = database.resolve()
    ours = {os.getpid(), *(parent.pid for parent in psutil.Process().parents())}
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.pid in ours:
            continue
        try:
            command = " ".join(process.info["cmdline"] or [])
            if _has_open(process, database) or (any(word in command for word in _OUR_COMMANDS)
                                                and _configured_for(process, database)):
                found.append(f"process {process.pid}: {command[:120]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _has_open(process: psutil.Process, database: Path) -> bool:
    names = {str(database), f"{database}-wal", f"{database}-shm"}
    return any(opened.path in names for opened in process.open_files())


def _configured_for(process: psutil.Process, database: Path) -> bool:
    environment = process.environ()
    url = environment.get("DATABASE_URL", "").strip()
    if url:
        return _sqlite_file(url) == database
    return database == _default_database() and Path(process.cwd()).resolve() == PROJECT_ROOT.resolve()


def _sqlite_file(url: str) -> Optional[Path]:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database).resolve()


def _default_database() -> Optional[Path]:
    return _sqlite_file(Settings().database_url)


def describe(found: List[str], limit: int = 5) -> str:
    return "; ".join(found[:limit]) + (f" and {len(found) - limit} more" if len(found) > limit else "")
