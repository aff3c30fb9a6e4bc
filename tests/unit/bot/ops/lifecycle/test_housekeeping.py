"""`prune_records`: working records that only matter for a while go; undelivered notices and records stay.

The frozen clock says 2026-11-23 08:00 in Shanghai (00:00 UTC); 180 days before is 2026-05-27 00:00 UTC.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import (
    AuditLog,
    Base,
    ChannelDelivery,
    CommunityNotice,
    FamilyMember,
    FamilyNote,
    LinkAttempt,
    LinkCode,
    NoticeReceipt,
    OutboxMessage,
    Reminder,
    ReminderFollower,
    ReminderOccurrence,
    Resident,
    ResidentMessage,
    StaffSession,
    StaffUser,
    TelegramUpdate,
)
from bot.ops.lifecycle.housekeeping import prune_records
from tests.conftest import NOW
from tests.unit.bot.ops.lifecycle.conftest import old_records, row_counts

pytestmark = pytest.mark.both_databases

TZ = "Asia/Shanghai"
UTC_NOW = dt.datetime(2026, 11, 23, 0, 0)
LONG_AGO = dt.datetime(2026, 3, 1, 9, 0)  # well before the cut-off
LAST_WEEK = dt.datetime(2026, 11, 16, 9, 0)


def working_records(sessions) -> None:
    """Of each kind, one row old enough to go and one that must stay."""
    with sessions.begin() as session:
        resident = session.scalars(select(Resident).order_by(Resident.id)).first()
        family = session.scalars(select(FamilyMember).order_by(FamilyMember.id)).first()
        for name, delivered in (("old-delivered", LONG_AGO), ("new-delivered", LAST_WEEK),
                                ("old-undelivered", None)):
            session.add(OutboxMessage(recipient=f"family:{family.id}", kind="meal_booked", text="您母亲订了午饭。",
                                      key=f"key-{name}", created_at=LONG_AGO if name.startswith("old") else LAST_WEEK,
                                      delivered_at=delivered, next_attempt_at=LONG_AGO))
        session.add_all([ChannelDelivery(key="key-old-delivered", sent_at=LONG_AGO),
                         ChannelDelivery(key="key-new-delivered", sent_at=LAST_WEEK),
                         # sent, but the crash came before the outbox heard: the key must stay
                         ChannelDelivery(key="key-old-undelivered", sent_at=LONG_AGO)])
        session.add_all([ResidentMessage(resident_id=resident.id, key="told-long-ago", text="您的助浴已完成。",
                                         created_at=LONG_AGO, told_at=LONG_AGO),
                         ResidentMessage(resident_id=resident.id, key="told-last-week", text="明天有雨。",
                                         created_at=LAST_WEEK, told_at=LAST_WEEK),
                         ResidentMessage(resident_id=resident.id, key="not-yet-told", text="您的订餐已取消。",
                                         created_at=LONG_AGO, told_at=None)])
        session.add_all([LinkCode(code="111111", resident_id=resident.id, issued_by="staff:1", created_at=LONG_AGO,
                                  expires_at=LONG_AGO + dt.timedelta(hours=24)),
                         LinkCode(code="222222", resident_id=resident.id, issued_by="staff:1",
                                  created_at=UTC_NOW - dt.timedelta(hours=2),
                                  expires_at=UTC_NOW + dt.timedelta(hours=22))])
        session.add_all([LinkAttempt(chat_id="555", ok=False, created_at=UTC_NOW - dt.timedelta(days=2)),
                         LinkAttempt(chat_id="555", ok=False, created_at=UTC_NOW - dt.timedelta(minutes=20))])
        session.add_all([TelegramUpdate(update_id=1001, received_at=UTC_NOW - dt.timedelta(days=8)),
                         TelegramUpdate(update_id=1002, received_at=UTC_NOW - dt.timedelta(days=6))])
        staff = StaffUser(username="wang", display_name="王芳", role="staff", password_hash="x")
        session.add(staff)
        session.flush()
        session.add_all([StaffSession(token_hash="a" * 64, staff_id=staff.id, csrf_token="c",
                                      expires_at=UTC_NOW - dt.timedelta(minutes=1)),
                         StaffSession(token_hash="b" * 64, staff_id=staff.id, csrf_token="c",
                                      expires_at=UTC_NOW + dt.timedelta(hours=8))])
        reminders = {what: Reminder(resident_id=resident.id, what=what, daily=True, time="21:00",
                                    created_by="resident:1", created_at=LONG_AGO - dt.timedelta(days=30),
                                    active=stopped is None, stopped_at=stopped)
                     for what, stopped in (("吃药", None), ("量血压", LONG_AGO), ("滴眼药", LAST_WEEK))}
        session.add_all(reminders.values())
        session.flush()
        session.add_all([ReminderFollower(reminder_id=r.id, family_member_id=family.id) for r in reminders.values()])
        session.add_all([ReminderOccurrence(reminder_id=reminders["吃药"].id, resident_id=resident.id, due_at=due,
                                            status=status)
                         for due, status in ((LONG_AGO, "taken"), (LAST_WEEK, "missed"),
                                             (LONG_AGO + dt.timedelta(days=1), "due"))])
        session.add_all([FamilyNote(resident_id=resident.id, family_member_id=family.id, text=text, direction=way,
                                    created_at=at, heard_at=heard)
                         for text, way, at, heard in (("周六回来吃饭", "to_resident", LONG_AGO, LONG_AGO),
                                                      ("好的", "to_family", LAST_WEEK, None),
                                                      ("多穿点", "to_resident", LONG_AGO, None))])
        old = CommunityNotice(text="高温提醒", audience="all", to_family=False, created_by="staff:1", created_at=LONG_AGO)
        new = CommunityNotice(text="停水通知", audience="all", to_family=False, created_by="staff:1",
                              created_at=LAST_WEEK)
        session.add_all([old, new])
        session.flush()
        session.add_all([NoticeReceipt(notice_id=old.id, resident_id=resident.id, heard_at=LONG_AGO),
                         NoticeReceipt(notice_id=new.id, resident_id=resident.id)])


def left(sessions) -> dict:
    with sessions() as session:
        return {
            "outbox": sorted(session.scalars(select(OutboxMessage.key))),
            "deliveries": sorted(session.scalars(select(ChannelDelivery.key))),
            "told": sorted(session.scalars(select(ResidentMessage.key))),
            "codes": sorted(session.scalars(select(LinkCode.code))),
            "attempts": len(session.scalars(select(LinkAttempt.id)).all()),
            "updates": sorted(session.scalars(select(TelegramUpdate.update_id))),
            "reminders": sorted(session.scalars(select(Reminder.what))),
            "followed": len(session.scalars(select(ReminderFollower.id)).all()),
            "occurrences": sorted(session.scalars(select(ReminderOccurrence.status))),
            "family_notes": sorted(session.scalars(select(FamilyNote.text))),
            "staff_sessions": sorted(session.scalars(select(StaffSession.token_hash))),
            "notices": sorted(session.scalars(select(CommunityNotice.text))),
            "receipts": len(session.scalars(select(NoticeReceipt.id)).all()),
        }


def test_old_working_records_go_and_recent_or_pending_ones_stay(sessions) -> None:
    working_records(sessions)
    counts = prune_records(sessions, NOW, 180, TZ)
    assert counts == {"outbox_delivered": 1, "channel_deliveries": 1, "resident_messages_told": 1,
                      "reminder_occurrences_old": 1, "reminder_followers_stopped": 1, "reminders_stopped": 1,
                      "family_notes_old": 1, "link_codes_expired": 1, "link_attempts": 1, "telegram_updates": 1,
                      "staff_sessions_expired": 1, "notice_receipts": 1, "community_notices": 1}
    assert left(sessions) == {
        "outbox": ["key-new-delivered", "key-old-undelivered"],  # never lose a notice not yet delivered
        "deliveries": ["key-new-delivered", "key-old-undelivered"],  # nor the key that stops it being sent twice
        "told": ["not-yet-told", "told-last-week"],
        "codes": ["222222"],
        "attempts": 1,  # the last hour's wrong codes still count towards the limit
        "updates": [1002],
        "staff_sessions": ["b" * 64],
        "reminders": ["吃药", "滴眼药"],  # active, or stopped only last week
        "followed": 2,
        "occurrences": ["due", "missed"],  # a reminder still waiting for its answer is kept
        "family_notes": ["多穿点", "好的"],  # not yet heard, or recent
        "notices": ["停水通知"],  # community notices follow the retention period, with who heard them
        "receipts": 1,
    }


def test_a_dry_run_counts_the_same_rows_and_deletes_nothing(sessions) -> None:
    working_records(sessions)
    before = row_counts(sessions, list(Base.metadata.tables))
    counts = prune_records(sessions, NOW, 180, TZ, dry_run=True)
    assert sum(counts.values()) == 13 and all(value == 1 for value in counts.values())
    assert row_counts(sessions, list(Base.metadata.tables)) == before


def test_records_of_what_was_done_are_kept_however_old(sessions) -> None:
    old_records(sessions)
    kept = ("meal_bookings", "service_bookings", "alerts", "alert_responses", "handoff_requests", "residents",
            "family_members", "family_links", "staff_users")
    before = row_counts(sessions, kept)
    prune_records(sessions, NOW, 1, TZ)
    assert row_counts(sessions, kept) == before


def test_a_prune_is_written_to_the_audit_log_and_an_empty_one_is_not(sessions) -> None:
    assert sum(prune_records(sessions, NOW, 180, TZ, actor="staff:3").values()) == 0
    working_records(sessions)
    prune_records(sessions, NOW, 180, TZ, actor="staff:3")
    with sessions() as session:
        entries = session.scalars(select(AuditLog).where(AuditLog.action == "prune_records")).all()
    assert [(entry.actor, entry.target) for entry in entries] == [("staff:3", "older_than:180d")]
    assert "outbox_delivered 1" in entries[0].detail


def test_a_shorter_retention_takes_more(sessions) -> None:
    working_records(sessions)
    counts = prune_records(sessions, NOW, 3, TZ)
    assert counts["outbox_delivered"] == 2 and counts["resident_messages_told"] == 2
    assert left(sessions)["outbox"] == ["key-old-undelivered"]

