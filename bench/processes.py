"""What the benchmarks read about processes and the machine: memory, CPU time, load, listen queues."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, Optional

import psutil

MIB = 1024 * 1024


@dataclass(frozen=True)
class Memory:
    """Resident memory of a process and its children, in MiB; USS and PSS are None where unreadable."""

    rss: float
    uss: Optional[float]
    pss: Optional[float]
    processes: int


def memory_of(pid: int) -> Memory:
    """RSS, USS and PSS (from /proc/PID/smaps through psutil) of a process and all its children."""
    root = psutil.Process(pid)
    rss, uss, pss, count = 0.0, 0.0, 0.0, 0
    full = True
    for process in [root] + root.children(recursive=True):
        try:
            info = process.memory_full_info()
        except psutil.AccessDenied:
            info, full = process.memory_info(), False
        except psutil.NoSuchProcess:
            continue
        count += 1
        rss += info.rss
        uss += getattr(info, "uss", 0)
        pss += getattr(info, "pss", 0)
    return Memory(rss / MIB, uss / MIB if full else None, pss / MIB if full else None, count)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root] + root.children(recursive=True):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full (this network namespace)."""
    try:
        lines = open("/proc/net/netstat").read().splitlines()
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table: Dict[str, str] = dict(zip(names.split()[1:], values.split()[1:]))
            return int(table.get("ListenOverflows", 0))
    return 0


def fmt(value: Optional[float], digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
