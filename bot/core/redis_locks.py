"""Conversation locks shared by several Rasa servers, taken atomically in Redis.

Rasa's own RedisLockStore reads the conversation's ticket lock, adds a ticket and writes it back
in three separate Redis calls. Two servers receiving the same conversation's messages at the same
moment can both read the empty lock, both take ticket 0 and both believe they hold it: the same
message is then processed twice. Every read-modify-write here runs in a Redis transaction that
watches the key and starts again if another server changed it in between, so tickets are issued,
finished and cleaned up one at a time.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore

logger = logging.getLogger(__name__)

_ATTEMPTS = 50


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are atomic (WATCH/MULTI/EXEC, retried on conflict)."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        options = dict(getattr(endpoint_config, "kwargs", None) or {})
        options.update(kwargs)
        host = options.pop("host", None) or getattr(endpoint_config, "url", None) or "localhost"
        super().__init__(host=host, **options)

    def _change(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Any]) -> Any:
        """Apply `change` to the stored lock atomically; it returns (new lock or None to delete, result)."""
        import redis

        key = self.key_prefix + conversation_id
        for _ in range(_ATTEMPTS):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock in between: read it again
        raise LockError(f"Could not change the lock of conversation '{conversation_id}': too much contention.")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = 60) -> int:
        def take(lock: Optional[TicketLock]) -> tuple:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except LockError:
            raise
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> tuple:
            if lock is None:
                return None, None
            lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> tuple:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finish this ticket and delete the lock if nobody else waits, in one step: a ticket
        issued by another server meanwhile is never deleted with it."""
        def finish_and_maybe_delete(lock: Optional[TicketLock]) -> tuple:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_maybe_delete)
