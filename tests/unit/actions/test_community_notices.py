"""Community notices on the real database: sent to all or some, said at the next conversation, heard recorded."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.community_notices import check_text, send
from actions.db.models import NoticeReceipt, OutboxMessage
from actions.inbox import ResidentInbox, take_unread
from actions.outbox import deliver_pending

pytestmark = pytest.mark.both_databases


def test_a_notice_to_some_residents_is_heard_by_whoever_has_spoken_since(sessions) -> None:
    notice_id = send(sessions, "明天上午8点到12点停水，请提前接好水。", [1, 2], True, "staff:1")
    with sessions() as session:
        receipts = {r.resident_id: r.heard_at for r in session.scalars(
            select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id))}
        family = list(session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.kind == "community_notice", OutboxMessage.recipient.like("family:%"))))
    assert receipts == {1: None, 2: None}
    assert family  # the relatives of residents 1 and 2 are told as well
    deliver_pending(sessions, {"resident": ResidentInbox(sessions)})
    with sessions.begin() as session:
        assert take_unread(session, 1) == ["社区通知：明天上午8点到12点停水，请提前接好水。"]
    with sessions() as session:
        heard = {r.resident_id: r.heard_at is not None for r in session.scalars(
            select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id))}
    assert heard == {1: True, 2: False}


def test_a_notice_to_everyone_reaches_every_resident_once(sessions) -> None:
    notice_id = send(sessions, "最近有人冒充社保局打电话要验证码，千万别给。", None, False, "staff:1")
    deliver_pending(sessions, {"resident": ResidentInbox(sessions)})
    deliver_pending(sessions, {"resident": ResidentInbox(sessions)})
    with sessions() as session:
        receipts = list(session.scalars(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id)))
        family = session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient.like("family:%"),
                                                               OutboxMessage.kind == "community_notice"))
    assert len(receipts) >= 3 and family is None
    with sessions.begin() as session:
        assert len(take_unread(session, 1)) == 1
        assert take_unread(session, 1) == []


def test_an_empty_or_overlong_notice_is_refused() -> None:
    assert check_text("  ") == "请写上通知的内容。"
    assert "太长" in (check_text("热" * 301) or "")
    assert check_text("今天高温，少出门，多喝水。") is None
