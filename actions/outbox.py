"""The outbox: notices to residents and family, delivered at least once, never lost.

A state change writes its notices in its own transaction (`enqueue`), so a
notice exists exactly when its cause does. `deliver_pending` hands each due
notice to the receiver for its recipient kind ("resident", "family"); a failure
is retried later with a growing pause, and a kind with no receiver yet (say,
family before the Telegram channel runs) simply waits. Receivers drop a notice
key they have already seen, so a notice delivered twice is told once.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Dict, Iterable, List, Protocol, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import OutboxMessage, utcnow

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


class Receiver(Protocol):
    def deliver(self, notice: Notice) -> None:
        """Deliver or raise; delivering a key seen before must do nothing."""


def enqueue(session: Session, messages: Iterable[Tuple[str, str]], kind: str, cause: str) -> None:
    """Queue (recipient, text) notices in the caller's transaction; the same cause is queued once per recipient."""
    for recipient, text in messages:
        key = f"{cause}:{recipient}"
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is None:
            session.add(OutboxMessage(recipient=recipient, kind=kind, text=text, key=key))


def pause_after(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(MAX_PAUSE_S, 2 ** attempts))


def deliver_pending(sessions: sessionmaker, receivers: Dict[str, Receiver], limit: int = 100) -> int:
    """Deliver the notices that are due; returns how many were delivered."""
    now = utcnow()
    with sessions() as session:
        due: List[OutboxMessage] = list(session.scalars(
            select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(limit)))
    delivered = 0
    for row in due:
        notice = Notice(key=row.key, recipient=row.recipient, kind=row.kind, text=row.text)
        receiver = receivers.get(notice.recipient_kind)
        if receiver is None:
            continue  # nobody can take it yet; it waits, nothing is lost
        try:
            receiver.deliver(notice)
        except Exception as exc:  # a channel being down must not stop the others
            logger.warning("notice %s to %s failed: %s", row.id, row.recipient, exc)
            with sessions.begin() as session:
                session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                    attempts=OutboxMessage.attempts + 1, last_error=str(exc)[:200],
                    next_attempt_at=utcnow() + pause_after(row.attempts + 1)))
            continue
        with sessions.begin() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                delivered_at=utcnow(), attempts=OutboxMessage.attempts + 1))
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
