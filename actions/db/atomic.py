"""Pieces the booking transactions share: counter rows, taking capacity, refusing, retried messages."""
from __future__ import annotations

from enum import Enum
from typing import Iterable, Optional

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker


class Refused(Exception):
    """Raised inside a transaction to roll it back; carries why (a problem enum)."""

    def __init__(self, problem: Enum) -> None:
        super().__init__(problem.value)
        self.problem = problem


def insert_ignore(session: Session, table: Table, values: dict, keys: Iterable[str]) -> None:
    """Create a row unless one with the same keys exists (concurrent creators are fine)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        insert = sqlite.insert
    elif dialect == "postgresql":
        insert = postgresql.insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect}")
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys)))


def take_capacity(session: Session, model: type, row_filter: tuple, amount: int) -> bool:
    """`booked += amount` on the counter row only while it stays within `capacity`: false when full.

    One conditional UPDATE, atomic on SQLite and PostgreSQL alike, so concurrent
    bookings can never take more than there is.
    """
    result = session.execute(
        update(model).where(*row_filter, model.booked + amount <= model.capacity)
        .values(booked=model.booked + amount).execution_options(synchronize_session=False))
    return result.rowcount == 1


def booked_by_message(sessions: sessionmaker, model: type, message_id: Optional[str]) -> Optional[int]:
    """The booking a channel message already made (a retried message must not book twice)."""
    if not message_id:
        return None
    with sessions() as session:
        return session.scalar(select(model.id).where(model.message_id == message_id))
