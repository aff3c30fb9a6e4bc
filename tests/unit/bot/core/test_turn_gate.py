"""Emergencies first: ordinary turns queue at the gate, emergencies never wait."""
from __future__ import annotations

import asyncio

import pytest

from bot.core.turn_gate import TurnGate, is_urgent


@pytest.mark.parametrize("text,urgent", [
    ("救命", True), ("我 摔 倒 了", True), ("厨房着火了", True), ("/emergency", True),
    ("帮我订明天的午饭", False), ("座机 010-66881234 找我", False), ("", False), (None, False),
])
def test_what_skips_the_queue(text, urgent) -> None:
    assert is_urgent(text) is urgent


def test_an_emergency_passes_while_ordinary_turns_wait() -> None:
    async def scenario() -> list:
        gate, order, release = TurnGate(1), [], asyncio.Event()

        async def turn(name: str, urgent: bool) -> None:
            async with gate.turn(urgent):
                order.append(f"{name} in")
                if name == "first":
                    await release.wait()  # an ordinary turn still being processed
                order.append(f"{name} out")

        first = asyncio.create_task(turn("first", False))
        await asyncio.sleep(0)
        second = asyncio.create_task(turn("second", False))
        emergency = asyncio.create_task(turn("sos", True))
        await asyncio.wait_for(emergency, timeout=5)  # not held back by the turn in flight
        assert "second in" not in order  # the other ordinary turn still queues
        release.set()
        await asyncio.wait_for(asyncio.gather(first, second), timeout=5)
        return order

    order = asyncio.run(scenario())
    assert order.index("sos out") < order.index("first out") < order.index("second in")


@pytest.mark.parametrize("in_flight,peak", [(0, 6), (3, 3)])  # 0: no gate at all
def test_at_most_the_limit_in_flight(in_flight, peak) -> None:
    async def scenario() -> int:
        gate, inside, most = TurnGate(in_flight), 0, 0

        async def turn() -> None:
            nonlocal inside, most
            async with gate.turn(False):
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0.01)
                inside -= 1

        await asyncio.wait_for(asyncio.gather(*(turn() for _ in range(6))), timeout=5)
        return most

    assert asyncio.run(scenario()) == peak


def test_turns_are_served_in_the_order_they_came() -> None:
    async def scenario() -> list:
        gate, served = TurnGate(2), []

        async def turn(number: int) -> None:
            async with gate.turn(False):
                served.append(number)
                await asyncio.sleep(0.005 * (number % 3))  # uneven turns free slots at odd moments

        tasks = []
        for number in range(12):
            tasks.append(asyncio.create_task(turn(number)))
            await asyncio.sleep(0)  # each arrives after the one before
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
        return served

    assert asyncio.run(scenario()) == list(range(12))


def test_a_turn_given_up_while_waiting_passes_its_slot_on() -> None:
    async def scenario() -> list:
        gate, served, hold = TurnGate(1), [], asyncio.Event()

        async def turn(name: str) -> None:
            async with gate.turn(False):
                served.append(name)
                if name == "first":
                    await hold.wait()

        first = asyncio.create_task(turn("first"))
        await asyncio.sleep(0)
        quitter = asyncio.create_task(turn("quitter"))
        last = asyncio.create_task(turn("last"))
        await asyncio.sleep(0)
        quitter.cancel()
        hold.set()
        await asyncio.wait_for(asyncio.gather(first, last), timeout=5)
        return served

    assert asyncio.run(scenario()) == ["first", "last"]


def test_no_new_ordinary_turn_starts_while_an_emergency_is_answered() -> None:
    async def scenario() -> list:
        gate, order = TurnGate(1), []
        first_done, sos_done = asyncio.Event(), asyncio.Event()

        async def ordinary(name: str, until: asyncio.Event) -> None:
            async with gate.turn(False):
                order.append(f"{name} in")
                await until.wait()
                order.append(f"{name} out")

        async def emergency() -> None:
            async with gate.turn(True):
                order.append("sos in")
                await sos_done.wait()
                order.append("sos out")

        first = asyncio.create_task(ordinary("first", first_done))
        await asyncio.sleep(0)
        second = asyncio.create_task(ordinary("second", asyncio.Event()))
        await asyncio.sleep(0)
        sos = asyncio.create_task(emergency())
        await asyncio.sleep(0)
        first_done.set()  # the ordinary turn in flight finishes while the emergency is answered
        await asyncio.sleep(0.05)
        assert "second in" not in order  # its freed slot waits for the emergency
        sos_done.set()
        await asyncio.wait_for(sos, timeout=5)
        await asyncio.sleep(0.05)
        assert "second in" in order  # and goes to the waiting turn as soon as it is answered
        second.cancel()
        await asyncio.gather(first, second, return_exceptions=True)
        return order

    order = asyncio.run(scenario())
    assert order.index("first out") < order.index("sos out") < order.index("second in")


def test_an_emergency_that_never_ends_holds_the_others_back_only_briefly(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core import turn_gate

    monkeypatch.setattr(turn_gate, "MAX_HOLD_S", 0.1)

    async def scenario() -> bool:
        gate, stuck = TurnGate(1), asyncio.Event()

        async def emergency() -> None:
            async with gate.turn(True):
                await stuck.wait()  # an action server that never answers

        async def ordinary() -> None:
            async with gate.turn(False):
                pass

        sos = asyncio.create_task(emergency())
        await asyncio.sleep(0)
        await asyncio.wait_for(ordinary(), timeout=2)  # served after the hold ends, not after the emergency
        sos.cancel()
        await asyncio.gather(sos, return_exceptions=True)
        return True

    assert asyncio.run(scenario())
