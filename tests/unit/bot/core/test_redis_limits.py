"""The webhook's rate limits shared through a real Redis by several Rasa workers (bot/core/redis_limits.py)."""
from __future__ import annotations

import shutil

import pytest

from bot.core.redis_limits import SharedRateLimiter, rate_limiter
from bot.kernel.rate_limit import RateLimiter
from tests.support.servers import ThrowawayRedis


@pytest.fixture(scope="module")
def redis_url():  # type: ignore[no-untyped-def]
    assert shutil.which("redis-server"), "make setup installs redis-server (scripts/bootstrap.sh)"
    server = ThrowawayRedis().start()
    try:
        yield server.url
    finally:
        server.stop()


def test_two_workers_share_one_senders_budget(redis_url: str) -> None:
    first, second = SharedRateLimiter(redis_url, 5, "t1"), SharedRateLimiter(redis_url, 5, "t1")
    answers = [(first if n % 2 else second).allow("kiosk-7") for n in range(8)]
    assert answers == [True] * 5 + [False] * 3  # not 5 per worker
    assert first.allow("kiosk-8") and second.allow("kiosk-8")  # each sender has its own window


def test_refused_messages_are_not_counted_and_limits_are_apart_by_name(redis_url: str) -> None:
    limiter = SharedRateLimiter(redis_url, 2, "t2")
    assert [limiter.allow("a") for _ in range(4)] == [True, True, False, False]
    assert SharedRateLimiter(redis_url, 2, "t2-other").allow("a")


def test_without_redis_each_process_counts_on_its_own() -> None:
    assert isinstance(rate_limiter("", 3, "sender"), RateLimiter)
    unreachable = SharedRateLimiter("redis://127.0.0.1:1/0", 2, "t3")  # nothing listens on port 1
    assert [unreachable.allow("a") for _ in range(3)] == [True, True, False]  # still limited, in this process
