"""The webhook's rate limits shared by every Rasa worker and replica, in Redis.

Each Rasa process (Sanic worker, replica) would otherwise count a sender's messages on its own,
and with W workers a sender could send W times `XIAONUAN_WEBHOOK_PER_MINUTE`. With Redis at hand
(REDIS_URL, or the private Redis `make run` starts for its workers) the one-minute sliding window
of each key is a sorted set in Redis, checked and added to in one Lua script (atomic, on Redis's own
clock, so the workers' clocks do not matter). When Redis cannot be reached the process falls back
to counting on its own (`bot.kernel.rate_limit.RateLimiter`) and logs it: the door stays locked,
per process.
"""
from __future__ import annotations

import logging
import secrets
from typing import Any, Optional

from bot.kernel.rate_limit import WINDOW_S, RateLimiter

logger = logging.getLogger(__name__)

# KEYS[1]: the key's window; ARGV: limit, window in ms, a unique member. Returns 1 when allowed.
_SLIDING_WINDOW = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now_ms - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now_ms, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


class SharedRateLimiter:
    """At most `per_minute` events per key in any 60 s across every process sharing the Redis server."""

    def __init__(self, redis_url: str, per_minute: int, name: str, client: Optional[Any] = None) -> None:
        import redis

        self.per_minute = per_minute
        self._prefix = f"xiaonuan:limit:{name}:"
        self._redis = client or redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        self._script = self._redis.register_script(_SLIDING_WINDOW)
        self._fallback = RateLimiter(per_minute)

    def allow(self, key: str) -> bool:
        """Count this event and say whether it is within the limit (refused events are not counted)."""
        import redis

        try:
            return bool(self._script(keys=[self._prefix + key],
                                     args=[self.per_minute, int(WINDOW_S * 1000), secrets.token_hex(8)]))
        except redis.RedisError as error:
            logger.warning("rate limits: Redis unavailable (%s); counting in this process only", error)
            return self._fallback.allow(key)


def rate_limiter(redis_url: str, per_minute: int, name: str) -> Any:
    """A limiter shared through Redis when a URL is given, else one of this process."""
    if redis_url:
        return SharedRateLimiter(redis_url, per_minute, name)
    return RateLimiter(per_minute)
