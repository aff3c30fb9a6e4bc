"""Emergencies first: a gate that keeps a few ordinary turns in flight and lets emergencies past.

The Rasa server answers every turn on one event loop, interleaving them at each await (the action
server, the database). With 50 conversations talking at once, a new turn shares the loop with all
of them and its answer comes after theirs, about 5 s later on a 2-core machine. An emergency must
not wait in that crowd: ordinary turns queue here, at most `in_flight` being processed at once, and
a turn whose words the safety net calls an emergency (or the SOS button's payload) skips the queue,
so it shares the loop with only those few. Each process (Sanic worker, replica) has its own gate.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator, Optional

from bot.nlu.emergency_words import match_emergency
from bot.nlu.text import normalize

URGENT_PAYLOADS = ("/emergency",)  # the kiosk's 紧急求助 button, a device or a relay


def is_urgent(text: Optional[str]) -> bool:
    """The words the safety net would call an emergency, or the SOS button's payload."""
    cleaned = normalize(text)
    return cleaned.startswith(URGENT_PAYLOADS) or match_emergency(cleaned) is not None


class TurnGate:
    """At most `in_flight` ordinary turns at once; urgent turns never wait. 0 turns the gate off."""

    def __init__(self, in_flight: int) -> None:
        self.in_flight = in_flight
        self._slots: Optional[asyncio.Semaphore] = None  # made on the server's own event loop

    @contextlib.asynccontextmanager
    async def turn(self, urgent: bool) -> AsyncIterator[None]:
        if urgent or self.in_flight <= 0:
            yield
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.in_flight)
        async with self._slots:
            yield
