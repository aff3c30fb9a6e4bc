"""The outbox: at least once, never lost, told once."""
import datetime as dt
import time

import pytest
from sqlalchemy import select, update

from actions.db.models import OutboxMessage, ResidentMessage
from actions.inbox import ResidentInbox, take_unread
from actions.outbox import Notice, deliver_pending, enqueue
from bot.workers.outbox import OutboxWorker, default_receivers

pytestmark = pytest.mark.both_databases


class Flaky:
    """A receiver that is down for the first `failures` attempts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.got = []

    def deliver(self, notice: Notice) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("channel unreachable")
        self.got.append(notice.key)


def _queue(sessions, recipient="resident:1", cause="test:1", text="您的助洁已经确认。"):
    with sessions.begin() as session:
        enqueue(session, [(recipient, text)], "service_confirmed", cause)


def _rows(sessions):
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_same_cause_is_queued_once(sessions) -> None:
    _queue(sessions)
    _queue(sessions)
    assert len(_rows(sessions)) == 1


def test_delivered_to_the_inbox_and_told_once(sessions) -> None:
    _queue(sessions)
    assert deliver_pending(sessions, default_receivers(sessions)) == 1
    assert deliver_pending(sessions, default_receivers(sessions)) == 0
    with sessions.begin() as session:
        assert take_unread(session, 1) == ["您的助洁已经确认。"]
    with sessions.begin() as session:
        assert take_unread(session, 1) == []


def test_a_notice_delivered_twice_is_kept_once(sessions) -> None:
    """The worker may die after delivering and before marking: the receiver drops the repeat."""
    inbox = ResidentInbox(sessions)
    notice = Notice(key="service:1:confirmed:1:resident:1", recipient="resident:1", kind="k", text="好")
    inbox.deliver(notice)
    inbox.deliver(notice)
    with sessions() as session:
        assert len(session.scalars(select(ResidentMessage)).all()) == 1


def test_a_channel_down_is_retried_later_and_nothing_is_lost(sessions) -> None:
    _queue(sessions, recipient="family:1")
    flaky = Flaky(failures=2)
    assert deliver_pending(sessions, {"family": flaky}) == 0
    [row] = _rows(sessions)
    assert row.attempts == 1 and row.delivered_at is None and "unreachable" in row.last_error
    assert deliver_pending(sessions, {"family": flaky}) == 0  # not due yet: it waits for its pause
    for _ in range(2):
        with sessions.begin() as session:
            session.execute(update(OutboxMessage).values(next_attempt_at=dt.datetime(2000, 1, 1)))
        deliver_pending(sessions, {"family": flaky})
    [row] = _rows(sessions)
    assert flaky.got == [row.key] and row.delivered_at is not None and row.attempts == 3


def test_no_receiver_yet_means_it_waits(sessions) -> None:
    _queue(sessions, recipient="family:2")
    assert deliver_pending(sessions, default_receivers(sessions)) == 0
    [row] = _rows(sessions)
    assert row.delivered_at is None and row.attempts == 0


def test_the_worker_delivers_in_the_background(sessions) -> None:
    _queue(sessions)
    worker = OutboxWorker(sessions, default_receivers(sessions), interval_s=0.05).start()
    try:
        for _ in range(100):
            if _rows(sessions)[0].delivered_at is not None:
                break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert _rows(sessions)[0].delivered_at is not None
