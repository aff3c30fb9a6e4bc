"""Deleting conversations older than the retention period, and nothing else.

The rule, per conversation (a tracker's sender id):

* every event older than the cut-off: the conversation is deleted whole;
* still in use: its sessions that ended before the cut-off are deleted (Rasa starts a new
  session after an idle hour). The session in progress at the cut-off and every later one
  are kept, so no session is cut in half and Rasa's current session is never touched.

With the events go the not-understood turns recorded from them; the console's summaries
of the conversations touched are counted again from the events left. Bookings, alerts and
family answers, handoff requests, the outbox, the audit log, residents and staff are
records of what was done, not of what was said, and are kept.

Plain SQLAlchemy Core, so the same statements run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, inspect, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from actions.db.models import AuditLog, ConversationSummary, NotUnderstoodTurn, SummaryCursor
from actions.db.rasa_events import EVENTS
from bot.staff.summaries import recount

SESSION_STARTED = "session_started"  # rasa.shared.core.events.SessionStarted.type_name
_WHOLE_CHUNK = 500  # sender ids per IN (…)
_PARTIAL_CHUNK = 100  # (sender, boundary) pairs per OR


@dataclass
class PurgeReport:
    """What a purge deleted, or would delete on a dry run."""

    cutoff: dt.datetime  # local time; conversation data before it goes
    dry_run: bool
    has_events: bool = True  # False when Rasa's events table is not in this database
    conversations_deleted: List[str] = field(default_factory=list)  # sender ids deleted whole
    conversations_trimmed: List[str] = field(default_factory=list)  # sender ids that lost old sessions
    events: int = 0
    not_understood: int = 0
    summaries_removed: int = 0  # console summaries of conversations with nothing left to show

    def counts(self) -> Dict[str, int]:
        return {"conversations_deleted": len(self.conversations_deleted),
                "conversations_trimmed": len(self.conversations_trimmed), "events": self.events,
                "not_understood_turns": self.not_understood, "summaries_removed": self.summaries_removed}


def cutoff_before(now: dt.datetime, days: int, timezone: str) -> float:
    """The epoch time `days` before the local time `now` (Rasa stores epoch seconds)."""
    return (now - dt.timedelta(days=days)).replace(tzinfo=ZoneInfo(timezone)).timestamp()


def purge_conversations(sessions: sessionmaker, now: dt.datetime, days: int, timezone: str,
                        dry_run: bool = False, actor: str = "system") -> PurgeReport:
    """Delete conversation data older than `days` before the local time `now` (see the module's rule).

    One transaction. Its first statement writes the summary cursor, which takes SQLite's write
    lock (so the plan and the deletes see the same events) and, on PostgreSQL, makes a console
    refreshing the summaries at the same moment wait for the purge.
    """
    cutoff = cutoff_before(now, days, timezone)
    report = PurgeReport(cutoff=now - dt.timedelta(days=days), dry_run=dry_run)
    with sessions.begin() as session:
        if not dry_run:
            session.execute(update(SummaryCursor).values(last_event_id=SummaryCursor.last_event_id)
                            .execution_options(synchronize_session=False))
        if not inspect(session.connection()).has_table("events"):
            report.has_events = False
            return report
        report.conversations_deleted = _whole(session, cutoff)
        boundaries = _boundaries(session, cutoff)
        report.conversations_trimmed = sorted(boundaries)
        touched = report.conversations_deleted + report.conversations_trimmed
        summaries_before = _count_summaries(session, report.conversations_deleted if dry_run else touched)
        for condition in _conditions(report.conversations_deleted, boundaries, cutoff):
            turns = NotUnderstoodTurn.event_id.in_(select(EVENTS.c.id).where(condition))
            if dry_run:
                report.not_understood += session.scalar(select(func.count()).select_from(NotUnderstoodTurn)
                                                        .where(turns))
                report.events += session.scalar(select(func.count()).select_from(EVENTS).where(condition))
            else:
                report.not_understood += session.execute(delete(NotUnderstoodTurn).where(turns)
                                                         .execution_options(synchronize_session=False)).rowcount
                report.events += session.execute(delete(EVENTS).where(condition)).rowcount
        if dry_run:
            report.summaries_removed = summaries_before
        else:
            report.summaries_removed = summaries_before - recount(session, touched, timezone)
            session.add(AuditLog(actor=actor, action="purge_conversations", target=f"older_than:{days}d",
                                 detail=_detail(report)))
    return report


def _whole(session: Session, cutoff: float) -> List[str]:
    """Conversations whose latest event is older than the cut-off."""
    query = (select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
             .having(func.max(EVENTS.c.timestamp) < cutoff).order_by(EVENTS.c.sender_id))
    return list(session.scalars(query))


def _boundaries(session: Session, cutoff: float) -> Dict[str, float]:
    """For conversations still in use: where the session in progress at the cut-off began.

    That is the latest `session_started` at or before the conversation's first event after the
    cut-off. Only conversations with events before that point are returned.
    """
    recent = (select(EVENTS.c.sender_id.label("sender_id"), func.min(EVENTS.c.timestamp).label("first"))
              .where(EVENTS.c.timestamp >= cutoff).group_by(EVENTS.c.sender_id).subquery())
    starts = (select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp))
              .select_from(EVENTS.join(recent, recent.c.sender_id == EVENTS.c.sender_id))
              .where(EVENTS.c.type_name == SESSION_STARTED, EVENTS.c.timestamp <= recent.c.first)
              .group_by(EVENTS.c.sender_id))
    oldest = dict(session.execute(select(EVENTS.c.sender_id, func.min(EVENTS.c.timestamp))
                                  .where(EVENTS.c.timestamp < cutoff).group_by(EVENTS.c.sender_id)).all())
    return {sender: start for sender, start in session.execute(starts)
            if sender in oldest and oldest[sender] < start}


def _conditions(whole: Sequence[str], boundaries: Dict[str, float], cutoff: float) -> Iterator[ColumnElement]:
    """WHERE clauses on the events to delete, in chunks a database accepts.

    Each clause bounds the time too, so an event written while the purge runs is never deleted.
    """
    for start in range(0, len(whole), _WHOLE_CHUNK):
        yield and_(EVENTS.c.sender_id.in_(whole[start:start + _WHOLE_CHUNK]), EVENTS.c.timestamp < cutoff)
    pairs = sorted(boundaries.items())
    for start in range(0, len(pairs), _PARTIAL_CHUNK):
        yield or_(*(and_(EVENTS.c.sender_id == sender, EVENTS.c.timestamp < boundary)
                    for sender, boundary in pairs[start:start + _PARTIAL_CHUNK]))


def _count_summaries(session: Session, senders: Sequence[str]) -> int:
    total = 0
    for start in range(0, len(senders), _WHOLE_CHUNK):
        chunk = senders[start:start + _WHOLE_CHUNK]
        total += session.scalar(select(func.count()).select_from(ConversationSummary)
                                .where(ConversationSummary.sender_id.in_(chunk)))
    return total


def _detail(report: PurgeReport) -> str:
    counts = ", ".join(f"{name} {value}" for name, value in report.counts().items())
    return f"before {report.cutoff.isoformat(timespec='minutes')} local: {counts}"
