"""Helpers for benchmark scripts: percentiles and appending figures to docs/benchmarks.md."""
from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path
from typing import List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def machine() -> str:
    memory = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def append_section(title: str, lines: List[str]) -> None:
    """Append a dated section with the machine's description to docs/benchmarks.md."""
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    if not BENCHMARKS_MD.exists():
        BENCHMARKS_MD.write_text("# Benchmarks\n\nFigures appended by the scripts in `bench/`.\n")
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    with BENCHMARKS_MD.open("a", encoding="utf-8") as out:
        out.write(f"\n## {title} ({stamp})\n\nMachine: {machine()}\n\n")
        out.write("\n".join(lines) + "\n")


def start_bench_stack(workdir: Path, secret: str, fixed_now: Optional[str] = None,  # type: ignore[no-untyped-def]
                      overrides: Optional[dict] = None):
    """The real servers on a throwaway copy of the demo district; returns (stack, start-up seconds)."""
    from bot.ops.launcher import start_demo_stack

    return start_demo_stack(workdir, secret, fixed_now, overrides=overrides)
