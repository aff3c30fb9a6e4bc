"""Conversation locks in a real Redis, taken by several lock stores at once (as several Rasa
servers do): exactly one holds a conversation at a time, and nobody's ticket is lost."""
from __future__ import annotations

import asyncio
import uuid

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.core.redis_locks import AtomicRedisLockStore
from bot.ops.launcher import lock_store_config


def stores(redis_server, count: int) -> list:
    config = lock_store_config(redis_server.url)
    endpoint = EndpointConfig.from_dict(config)
    made = [RedisLockStore.create(endpoint) for _ in range(count)]
    assert all(isinstance(store, AtomicRedisLockStore) for store in made)
    return made


async def crowd(lock_stores: list, conversation: str, per_store: int) -> tuple:
    holding, most, served = 0, 0, []

    async def turn(store, n: int) -> None:
        nonlocal holding, most
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.01):
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.002)
            served.append(n)
            holding -= 1

    await asyncio.gather(*(turn(store, i * per_store + n) for i, store in enumerate(lock_stores)
                           for n in range(per_store)))
    return most, served


def test_many_servers_taking_one_conversation_hold_it_one_at_a_time(redis_server) -> None:
    conversation = f"crowd-{uuid.uuid4().hex[:8]}"
    lock_stores = stores(redis_server, 4)
    most, served = asyncio.run(crowd(lock_stores, conversation, 10))
    assert most == 1
    assert sorted(served) == list(range(40))
    assert lock_stores[0].get_lock(conversation) is None  # the last one out cleaned up


def test_tickets_issued_at_the_same_moment_are_all_different(redis_server) -> None:
    conversation = f"same-moment-{uuid.uuid4().hex[:8]}"
    lock_stores = stores(redis_server, 6)

    async def issue_all() -> list:
        return await asyncio.gather(*(asyncio.to_thread(store.issue_ticket, conversation, 30)
                                      for store in lock_stores))

    tickets = asyncio.run(issue_all())
    assert sorted(tickets) == list(range(6))
    lock = lock_stores[0].get_lock(conversation)
    assert [ticket.number for ticket in lock.tickets] == sorted(tickets)
    for store, ticket in zip(lock_stores, tickets):
        store.cleanup(conversation, ticket)
    assert lock_stores[0].get_lock(conversation) is None
