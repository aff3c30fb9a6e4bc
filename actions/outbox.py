"""The outbox: notices to residents and family, delivered at least once, never lost.

A state change writes its notices in its own transaction (`enqueue`), so a
notice exists exactly when its cause does. `deliver_pending` hands each due
notice to the receiver for its recipient kind ("resident", "family"); a failure
is retried later with a growing pause, and a kind with no receiver yet (say,
family before the Telegram channel runs) simply waits. A worker claims a notice
before handing it over, so two workers never send it together, and receivers
drop a notice key they have already seen, so a notice delivered twice is told once.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Protocol, Tuple

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import OutboxMessage
from bot.kernel.clock import utcnow

logger = logging.getLogger(__name__)

MAX_PAUSE_S = 300


@dataclass(frozen=True)
class Notice:
    key: str
    recipient: str  # "resident:1"
    kind: str
    text: str

    @property
    def recipient_kind(self) -> str:
        return self.recipient.split(":", 1)[0]

    @property
    def recipient_id(self) -> int:
        return int(self.recipient.split(":", 1)[1])

    @property
    def cause(self) -> str:
        """What the notice is about ("alert:12", "service:3:done:1"): its key without the recipient."""
        return self.key[: -len(self.recipient) - 1] if self.key.endswith(":" + self.recipient) else self.key


class Receiver(Protocol):
    def deliver(self, notice: Notice) -> None:
        """Deliver or raise; delivering a key seen before must do nothing."""


def enqueue(session: Session, messages: Iterable[Tuple[str, str]], kind: str, cause: str) -> None:
    """Queue (recipient, text) notices in the caller's transaction; the same cause is queued once per recipient."""
    for recipient, text in messages:
        key = f"{cause}:{recipient}"
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is None:
            session.add(OutboxMessage(recipient=recipient, kind=kind, text=text, key=key))


class Undeliverable(Exception):
    """The recipient cannot be reached on any channel (say, a relative without Telegram): stop trying."""


def pause_after(attempts: int, base_s: float = 2.0) -> dt.timedelta:
    return dt.timedelta(seconds=min(MAX_PAUSE_S, base_s * 2 ** (attempts - 1)))


def _claim(sessions: sessionmaker, row: OutboxMessage, lease: dt.timedelta) -> bool:
    """Take the notice for this worker for a while, so a second worker never sends it at the same time."""
    with sessions.begin() as session:
        taken = session.execute(update(OutboxMessage).where(
            OutboxMessage.id == row.id, OutboxMessage.delivered_at.is_(None),
            OutboxMessage.next_attempt_at == row.next_attempt_at).values(next_attempt_at=utcnow() + lease)
            .execution_options(synchronize_session=False))
        return taken.rowcount == 1


def _settle(sessions: sessionmaker, row: OutboxMessage, error: str = "", retry_in: Optional[dt.timedelta] = None) -> None:
    values: dict = dict(attempts=OutboxMessage.attempts + 1, last_error=error[:200])
    if retry_in is None:
        values["delivered_at"] = utcnow()
    else:
        values["next_attempt_at"] = utcnow() + retry_in
    with sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))


def deliver_pending(sessions: sessionmaker, receivers: Dict[str, Receiver], limit: int = 100,
                    retry_base_s: float = 2.0, lease_s: float = 60.0) -> int:
    """Deliver the due notices this worker has receivers for; returns how many were delivered.

    A failure is retried later with a doubling pause; notices for kinds with no
    receiver here are left for the worker that has one (or wait until one runs).
    """
    if not receivers:
        return 0
    now = utcnow()
    kinds = [OutboxMessage.recipient.like(f"{kind}:%") for kind in receivers]
    with sessions() as session:
        due: List[OutboxMessage] = list(session.scalars(
            select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= now,
                                        or_(*kinds))
            .order_by(OutboxMessage.id).limit(limit)))
    delivered = 0
    for row in due:
        if not _claim(sessions, row, dt.timedelta(seconds=lease_s)):
            continue  # another worker has it
        notice = Notice(key=row.key, recipient=row.recipient, kind=row.kind, text=row.text)
        try:
            receivers[notice.recipient_kind].deliver(notice)
        except Undeliverable as exc:
            logger.info("notice %s to %s cannot be delivered: %s", row.id, row.recipient, exc)
            _settle(sessions, row, error=f"undeliverable: {exc}")
            continue
        except Exception as exc:  # a channel being down must not stop the others
            logger.warning("notice %s to %s failed: %s", row.id, row.recipient, exc)
            _settle(sessions, row, error=str(exc) or type(exc).__name__,
                    retry_in=pause_after(row.attempts + 1, retry_base_s))
            continue
        _settle(sessions, row)
        delivered += 1
    return delivered


def insert_once(session: Session, row: object) -> bool:
    """Add a row guarded by a unique key; False when it was there already (a duplicate delivery)."""
    try:
        with session.begin_nested():
            session.add(row)
        return True
    except IntegrityError:
        return False
