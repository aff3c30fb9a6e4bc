"""How one setting is declared: its field, its environment variable, how the variable is read and
written back, and the sentence the settings table shows (bot/kernel/settings.py uses it)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import MISSING, Field, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

SETTING = "xiaonuan.setting"
"""Key of a setting's declaration in its dataclass field's metadata."""

Parse = Callable[[str, str], Any]
"""(the variable's value, stripped and not empty; the variable's name) -> the field's value."""

Render = Callable[[Any], str]
"""The field's value -> the variable's value that parses back to it."""


@dataclass(frozen=True)
class EnvSetting:
    """The environment variable of one field: declared once, beside the field."""

    env: str
    """The variable's name."""

    doc: str
    """What the setting does, one or two sentences (the settings table's "what it does")."""

    parse: Parse
    render: Render

    to_children: bool
    """Whether `child_environment` hands the value on to the processes the launcher starts."""

    shown_default: Optional[str]
    """The default as the settings table shows it, when the rendered default would not be clear."""


def setting(default: Any = MISSING, *, env: str, doc: str, parse: Optional[Parse] = None,
            render: Render = str, to_children: bool = True, shown_default: Optional[str] = None,
            default_factory: Any = MISSING) -> Any:
    """A dataclass field read from `env`; an empty or unset variable leaves the default."""
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", env):
        raise ValueError(f"{env!r} is not an environment variable name")
    if (default is MISSING) == (default_factory is MISSING):
        raise TypeError(f"{env}: give a default or a default_factory (every setting has a default)")
    declared = EnvSetting(env=env, doc=" ".join(doc.split()), parse=parse or parse_str, render=render,
                          to_children=to_children, shown_default=shown_default)
    return field(default=default, default_factory=default_factory, metadata={SETTING: declared})


def declaration(of: Field) -> Optional[EnvSetting]:
    """The declaration of a dataclass field, None for a field without one."""
    return of.metadata.get(SETTING)


# --- reading a variable: the messages name the variable ---------------------------------------------

def parse_str(raw: str, name: str) -> str:
    return raw


def parse_lower(raw: str, name: str) -> str:
    return raw.lower()


def parse_url_root(raw: str, name: str) -> str:
    """A base URL without its trailing "/"."""
    return raw.rstrip("/")


def parse_path(raw: str, name: str) -> Path:
    return Path(raw)


def parse_int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def parse_float(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


TRUE_WORDS = ("1", "true", "yes", "on")


def parse_bool(raw: str, name: str) -> bool:
    """On for 1, true, yes, on (any case); anything else is off."""
    return raw.lower() in TRUE_WORDS


def render_bool(value: bool) -> str:
    return "1" if value else "0"


def parse_seconds_pair(raw: str, name: str) -> Tuple[int, int]:
    """Two whole numbers of seconds, "60,180" (a full-width comma too)."""
    parts = [part.strip() for part in raw.replace("，", ",").split(",")]
    try:
        first, second = (int(part) for part in parts)
    except ValueError as exc:
        raise ValueError(f"{name} must be two whole numbers of seconds such as 60,180, got {raw!r}") from exc
    return first, second


def render_seconds_pair(value: Tuple[int, int]) -> str:
    return ",".join(str(seconds) for seconds in value)


def parse_daytime(raw: str, name: str) -> Tuple[str, str]:
    """Two local times, "08:00-20:00" (an en dash or a tilde too)."""
    parts = [part.strip() for part in raw.replace("–", "-").replace("~", "-").split("-")]
    if len(parts) != 2:
        raise ValueError(f"{name} must look like 08:00-20:00, got {raw!r}")
    return parts[0], parts[1]


def render_daytime(value: Tuple[str, str]) -> str:
    return "-".join(value)


def is_clock_time(value: str) -> bool:
    """"09:00" style, as the check-in time and the daytime window are written."""
    try:
        return len(value) == 5 and dt.datetime.strptime(value, "%H:%M") is not None
    except ValueError:
        return False


def check_port(name: str, port: int) -> None:
    if not 0 <= port <= 65535:
        raise ValueError(f"{name} must be between 0 and 65535, got {port}")
