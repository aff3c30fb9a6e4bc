"""Staff-edited YAML files, read again whenever they change (no restart, no retraining)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Dict, Generic, Tuple, Type, TypeVar

import yaml

T = TypeVar("T")


class ReloadingFile(Generic[T]):
    """Parses a file on first use and again after each change; thread-safe."""

    def __init__(self, parse: Callable[[Any], T], error: Type[Exception], what: str) -> None:
        self.parse, self.error, self.what = parse, error, what
        self._lock = threading.Lock()
        self._cache: Dict[Path, Tuple[int, T]] = {}

    def load(self, path: Path) -> T:
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as exc:
            raise self.error(f"{self.what} {path} not found") from exc
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == stamp:
                return cached[1]
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise self.error(f"{self.what} {path} is not valid YAML: {exc}") from exc
            parsed = self.parse(raw)
            self._cache[path] = (stamp, parsed)
            return parsed
