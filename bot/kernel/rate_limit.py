"""A sliding one-minute window per key: how the core's webhook limits each sender."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable, Deque, Dict

WINDOW_S = 60.0


class RateLimiter:
    """At most `per_minute` events per key in any 60 s; thread-safe, forgets idle keys."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count this event and say whether it is within the limit (refused events are not counted)."""
        now = self._clock()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and now - times[0] >= WINDOW_S:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            if len(self._seen) > 10000:  # a scan with made-up senders must not grow memory for ever
                for stale in [k for k, v in self._seen.items() if not v or now - v[-1] >= WINDOW_S]:
                    del self._seen[stale]
            return True
