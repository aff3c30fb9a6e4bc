"""Per-chat flood guard: at most N messages a minute; one polite note per minute for the rest."""
from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable, Deque, Dict, Tuple

WINDOW_S = 60.0


class FloodGuard:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: Dict[str, Deque[float]] = defaultdict(deque)
        self._warned_at: Dict[str, float] = {}

    def check(self, chat_id: str) -> Tuple[bool, bool]:
        """(allowed, warn): allowed messages are handled; of the others, the first in a minute gets a note."""
        now = self.clock()
        seen = self._seen[chat_id]
        while seen and now - seen[0] >= WINDOW_S:
            seen.popleft()
        if len(seen) < self.per_minute:
            seen.append(now)
            return True, False
        warned = self._warned_at.get(chat_id)
        if warned is not None and now - warned < WINDOW_S:
            return False, False
        self._warned_at[chat_id] = now
        return False, True
