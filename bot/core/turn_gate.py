"""Emergencies first: a gate that keeps a few ordinary turns in flight and lets emergencies past.

The Rasa server answers every turn on one event loop, interleaving them at each await (the action
server, the database). With 50 conversations talking at once, a new turn shares the loop with all
of them and its answer comes after theirs, about 5 s later on a 2-core machine. An emergency must
not wait in that crowd: ordinary turns queue here, at most `in_flight` being processed at once, and
a turn whose words the safety net calls an emergency (or the SOS button's payload) skips the queue,
so it shares the loop with only those few; while an emergency is being answered, no new ordinary
turn starts (those in flight finish), so it soon has the loop nearly to itself. Each process
(Sanic worker, replica) has its own gate.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import AsyncIterator, Deque, Optional

from bot.kernel.contract import normalize
from bot.kernel.words.emergency import match_emergency

URGENT_PAYLOADS = ("/emergency",)
MAX_HOLD_S = 3.0  # the longest an emergency keeps new ordinary turns from starting  # the kiosk's 紧急求助 button, a device or a relay


def is_urgent(text: Optional[str]) -> bool:
    """The words the safety net would call an emergency, or the SOS button's payload."""
    cleaned = normalize(text)
    return cleaned.startswith(URGENT_PAYLOADS) or match_emergency(cleaned) is not None


class _FairSlots:
    """Slots handed to waiters strictly in arrival order (asyncio.Semaphore lets a newcomer take a slot
    freed before the longest waiter wakes, and under load some turns waited many times longer)."""

    def __init__(self, count: int) -> None:
        self.free = count
        self.waiters: Deque[asyncio.Future] = collections.deque()
        self.held = False  # True while an emergency is answered: freed slots wait for it to finish

    async def acquire(self) -> None:
        if self.free > 0 and not self.waiters and not self.held:
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as the caller gave up: pass it on
            else:
                self.waiters.remove(waiter)
            raise

    def release(self) -> None:
        if self.held:
            self.free += 1
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes straight to the longest waiter
                return
        self.free += 1

    def resume(self) -> None:
        """The emergencies are answered: hand the slots freed meanwhile to the longest waiters."""
        self.held = False
        while self.free > 0 and self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                self.free -= 1
                waiter.set_result(None)


class TurnGate:
    """At most `in_flight` ordinary turns at once, first come first served; urgent turns never wait.
    0 turns the gate off."""

    def __init__(self, in_flight: int) -> None:
        self.in_flight = in_flight
        self._slots: Optional[_FairSlots] = None
        self._urgent = 0

    @contextlib.asynccontextmanager
    async def turn(self, urgent: bool) -> AsyncIterator[None]:
        if self.in_flight <= 0:
            yield
            return
        if self._slots is None:
            self._slots = _FairSlots(self.in_flight)
        if urgent:
            self._urgent += 1
            self._slots.held = True  # no new ordinary turn starts while it is answered ...
            # ... for at most MAX_HOLD_S: an emergency stuck on a dead action server must not stop the rest
            timer = asyncio.get_running_loop().call_later(MAX_HOLD_S, self._slots.resume)
            try:
                yield
            finally:
                timer.cancel()
                self._urgent -= 1
                if self._urgent == 0:
                    self._slots.resume()
            return
        await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()
