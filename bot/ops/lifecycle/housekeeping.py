"""Pruning the working records that only matter for a while, so no table grows without limit.

What goes, and when (`now` is the local time; rows carry UTC):

* delivered notices in the outbox, and the channels' sent keys, older than the retention
  period; a notice not yet delivered is never deleted, however old, and neither is its key;
* notices a resident has heard at the kiosk, older than the retention period;
* reminder history: each time a reminder fell due (answered or missed) older than the retention period,
  and reminders stopped longer ago than that, with who followed them;
* messages between family and residents older than the retention period, once heard (a message not yet
  heard waits for its resident);
* family link codes that expired longer ago than the retention period;
* typed link codes (the wrong-code limit counts one hour) after a day;
* Telegram update ids (kept against replays) after seven days;
* staff sessions that have expired.

Bookings, alerts, handoff requests, residents, staff accounts and the audit log are never
touched here. Plain SQLAlchemy Core, so the same statements run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import (
    AuditLog,
    ChannelDelivery,
    CommunityNotice,
    FamilyNote,
    LinkAttempt,
    LinkCode,
    NoticeReceipt,
    OutboxMessage,
    Reminder,
    ReminderFollower,
    ReminderOccurrence,
    ResidentMessage,
    StaffSession,
    TelegramUpdate,
)
from actions.linking import ATTEMPT_WINDOW
from bot.telegram.chats import KEEP_UPDATE_IDS

KEEP_LINK_ATTEMPTS = max(dt.timedelta(days=1), ATTEMPT_WINDOW)


def _utc(local: dt.datetime, timezone: str) -> dt.datetime:
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.timezone.utc).replace(tzinfo=None)


def _conditions(now_utc: dt.datetime, days: int) -> Dict[str, tuple]:
    """Each table's rows to prune: (model, WHERE clause)."""
    cutoff = now_utc - dt.timedelta(days=days)
    undelivered = select(OutboxMessage.key).where(OutboxMessage.delivered_at.is_(None))
    stopped = select(Reminder.id).where(Reminder.stopped_at.is_not(None), Reminder.stopped_at < cutoff)
    return {
        "outbox_delivered": (OutboxMessage, and_(OutboxMessage.delivered_at.is_not(None),
                                                 OutboxMessage.delivered_at < cutoff)),
        "channel_deliveries": (ChannelDelivery, and_(ChannelDelivery.sent_at < cutoff,
                                                     ChannelDelivery.key.not_in(undelivered))),
        "resident_messages_told": (ResidentMessage, and_(ResidentMessage.told_at.is_not(None),
                                                         ResidentMessage.told_at < cutoff)),
        "reminder_occurrences_old": (ReminderOccurrence, and_(ReminderOccurrence.due_at < cutoff,
                                                              ReminderOccurrence.status != "due")),
        "reminder_followers_stopped": (ReminderFollower, ReminderFollower.reminder_id.in_(stopped)),
        "reminders_stopped": (Reminder, and_(Reminder.stopped_at.is_not(None), Reminder.stopped_at < cutoff,
                                             Reminder.id.not_in(select(ReminderOccurrence.reminder_id)))),
        "family_notes_old": (FamilyNote, and_(FamilyNote.created_at < cutoff,
                                              (FamilyNote.direction == "to_family") | FamilyNote.heard_at.is_not(None))),
        "link_codes_expired": (LinkCode, LinkCode.expires_at < cutoff),
        "link_attempts": (LinkAttempt, LinkAttempt.created_at < now_utc - KEEP_LINK_ATTEMPTS),
        "telegram_updates": (TelegramUpdate, TelegramUpdate.received_at < now_utc - KEEP_UPDATE_IDS),
        "staff_sessions_expired": (StaffSession, StaffSession.expires_at < now_utc),
        # Community notices from staff, with who heard them, follow the retention period (issue 19).
        "notice_receipts": (NoticeReceipt, NoticeReceipt.notice_id.in_(
            select(CommunityNotice.id).where(CommunityNotice.created_at < cutoff))),
        "community_notices": (CommunityNotice, CommunityNotice.created_at < cutoff),
    }


def prune_records(sessions: sessionmaker, now: dt.datetime, days: int, timezone: str,
                  dry_run: bool = False, actor: str = "system") -> Dict[str, int]:
    """Delete (or, on a dry run, count) the rows the module's rules let go; one transaction."""
    counts: Dict[str, int] = {}
    with sessions.begin() as session:
        for name, (model, condition) in _conditions(_utc(now, timezone), days).items():
            counts[name] = _count(session, model, condition) if dry_run else session.execute(
                delete(model).where(condition).execution_options(synchronize_session=False)).rowcount
        if not dry_run and any(counts.values()):
            detail = ", ".join(f"{name} {value}" for name, value in counts.items())
            session.add(AuditLog(actor=actor, action="prune_records", target=f"older_than:{days}d", detail=detail))
    return counts


def _count(session: Session, model: type, condition) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)
