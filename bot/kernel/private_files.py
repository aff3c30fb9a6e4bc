"""Files that hold personal data (database, backups, logs, run config) are for this user only.

The default umask made them 0644: any local account could read what residents said and
the per-run secrets. Files are created 0600 and their folders 0700.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    """For a whole process and its children (the servers it starts): new files 0600, folders 0700."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) 0700, and tighten it if it already existed, unless it is
    a shared folder like /tmp (sticky bit): taking that from other accounts would break them."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if not path.stat().st_mode & stat.S_ISVTX:
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure the file exists with mode 0600 (before SQLite or a logger opens it), in a 0700 folder."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    os.close(descriptor)
    return path


def write_private(path: Path, text: str) -> None:
    """Write text to a 0600 file, replacing what it held."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def open_private_log(path: Path) -> BinaryIO:
    """A log opened for appending, 0600, in a 0700 folder."""
    private_file(path)
    return open(path, "ab")
