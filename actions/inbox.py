"""The kiosk's inbox: notices for a resident, said at the start of their next conversation."""
from __future__ import annotations

from typing import List

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.community_notices import mark_heard
from actions.db.models import ResidentMessage
from actions.outbox import Notice, insert_once
from bot.kernel.clock import utcnow


class ResidentInbox:
    """Receiver of notices for residents; a key seen before is dropped."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def deliver(self, notice: Notice) -> None:
        with self.sessions.begin() as session:
            insert_once(session, ResidentMessage(resident_id=notice.recipient_id, key=notice.key, text=notice.text))


def take_unread(session: Session, resident_id: int, limit: int = 3) -> List[str]:
    """The oldest notices not yet told (at most `limit`), marked as told."""
    rows = list(session.scalars(select(ResidentMessage).where(
        ResidentMessage.resident_id == resident_id, ResidentMessage.told_at.is_(None))
        .order_by(ResidentMessage.id).limit(limit)))
    if rows:
        session.execute(update(ResidentMessage).where(ResidentMessage.id.in_([r.id for r in rows]))
                        .values(told_at=utcnow()))
        mark_heard(session, [row.key for row in rows])
    return [row.text for row in rows]
