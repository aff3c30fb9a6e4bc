"""A background round inside `xiaonuan run`: a thread that calls `run_once` on an interval until stopped.

The retention, care and escalation workers differ only in what one round does; each keeps going when a
round fails (the database briefly away), which `run_once` itself catches and logs.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any, Optional


class PeriodicWorker(ABC):
    """`run_once` every `interval_s` seconds (the first after `first_delay_s`); an interval of 0 never starts."""

    name = "periodic"

    def __init__(self, interval_s: float, first_delay_s: Optional[float] = None) -> None:
        self.interval_s = interval_s
        self.first_delay_s = interval_s if first_delay_s is None else first_delay_s
        self.failures = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @abstractmethod
    def run_once(self) -> Any:
        """One round; catches and logs its own failures (counted in `failures`)."""

    def _loop(self) -> None:
        delay = self.first_delay_s
        while not self._stop.wait(delay):
            self.run_once()
            delay = self.interval_s

    def start(self) -> "PeriodicWorker":
        if self.interval_s <= 0:
            return self
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
