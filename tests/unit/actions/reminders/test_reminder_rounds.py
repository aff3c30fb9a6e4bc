"""On a frozen clock: a reminder falls due once (from two processes too), the home kiosk's timer sends
"/reminder_due" and repeats gently, a snooze waits ten minutes, and one not confirmed in thirty minutes is
missed and told to the relatives who follow it, once, with two buttons on Telegram."""
from __future__ import annotations

import datetime as dt
from typing import List

import pytest
from sqlalchemy import select

from actions.db.models import OutboxMessage, ReminderOccurrence
from actions.outbox import Notice
from actions.reminders.adherence import week_of
from actions.reminders.rounds import reminder_round
from actions.reminders.store import TAKEN, add_reminder, answer, fall_due, mark_said, snooze
from bot.kernel.settings import Settings
from bot.telegram.receiver import markup_for
from bot.workers.reminders import ReminderWorker
from voice.home_timer import REMINDER_PAYLOAD, HomeTimer

pytestmark = pytest.mark.both_databases
MONDAY_8 = dt.datetime(2026, 11, 23, 0, 0)  # UTC of 08:00 in Shanghai


def minutes(n: float) -> dt.datetime:
    return MONDAY_8 + dt.timedelta(minutes=n)


@pytest.fixture()
def settings(sessions, database_url) -> Settings:
    return Settings().with_overrides(database_url=database_url, kiosk_mode="home", kiosk_resident_id=1)


@pytest.fixture()
def medicine(sessions) -> int:
    """张桂英's 08:10 medicine, every day, set by her; her daughter (family 1) follows it."""
    with sessions.begin() as session:
        row = add_reminder(session, 1, "吃药", True, None, 8, 10, "resident:1", MONDAY_8 - dt.timedelta(days=2))
        session.flush()
        return row.id


def occurrences(sessions) -> List[ReminderOccurrence]:
    with sessions() as session:
        return list(session.scalars(select(ReminderOccurrence).order_by(ReminderOccurrence.id)))


def notices(sessions) -> List[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder_missed")))


class Clock:
    def __init__(self) -> None:
        self.tick = 0.0

    def __call__(self) -> float:
        return self.tick


def timer_at(settings: Settings, sessions, when: dt.datetime, clock: Clock) -> HomeTimer:
    local = when + dt.timedelta(hours=8)
    return HomeTimer(settings.with_overrides(fixed_now=local.isoformat()), sessions, monotonic=clock)


def test_falls_due_once_even_from_two_processes(sessions, settings, medicine) -> None:
    assert fall_due(sessions, settings, minutes(9)) == []
    first = fall_due(sessions, settings, minutes(10))
    again = fall_due(sessions, settings, minutes(10)) + fall_due(sessions, settings, minutes(11))
    assert len(first) == 1 and again == []
    [row] = occurrences(sessions)
    assert (row.due_at, row.status) == (minutes(10), "due")


def test_the_home_kiosk_says_it_when_due_and_gently_again(sessions, settings, medicine) -> None:
    clock = Clock()
    assert timer_at(settings, sessions, minutes(9), clock).due() is None
    timer = timer_at(settings, sessions, minutes(10), clock)
    assert timer.due() == REMINDER_PAYLOAD
    assert timer.due() is None  # the next look is a few seconds later
    clock.tick += 10
    assert timer.due() is None  # not sent twice while the core has not recorded the say
    [row] = occurrences(sessions)
    with sessions.begin() as session:  # what action_reminder_due records
        mark_said(session, row.id, minutes(10), settings.reminder_repeat_minutes)
    clock.tick += 60
    assert timer_at(settings, sessions, minutes(14), clock).due() is None
    assert timer_at(settings, sessions, minutes(15), clock).due() == REMINDER_PAYLOAD  # said again, gently


def test_a_snooze_waits_ten_minutes(sessions, settings, medicine) -> None:
    clock = Clock()
    fall_due(sessions, settings, minutes(10))
    [row] = occurrences(sessions)
    with sessions.begin() as session:
        said = mark_said(session, row.id, minutes(10), settings.reminder_repeat_minutes)
        snooze(said, minutes(11), settings.reminder_snooze_minutes)
    assert timer_at(settings, sessions, minutes(20), clock).due() is None
    assert timer_at(settings, sessions, minutes(21), clock).due() == REMINDER_PAYLOAD


def test_not_confirmed_in_thirty_minutes_the_daughter_is_told_once_with_buttons(sessions, settings, medicine) -> None:
    assert reminder_round(sessions, settings, minutes(10)) == []
    with sessions.begin() as session:
        mark_said(session, occurrences(sessions)[0].id, minutes(10), settings.reminder_repeat_minutes)
    assert reminder_round(sessions, settings, minutes(39)) == []
    [missed] = reminder_round(sessions, settings, minutes(40))
    assert (missed.resident_id, missed.told) == (1, 1)
    assert reminder_round(sessions, settings, minutes(41)) == []
    [row] = occurrences(sessions)
    assert (row.status, row.escalated_at) == ("missed", minutes(40))
    [notice] = notices(sessions)
    assert notice.recipient == "family:1"
    assert notice.text == ("【提醒没确认】张桂英今天08:10该吃药，小暖提醒了，过了30分钟还没说做了。"
                           "您方便的话打个电话问问。")
    markup = markup_for(Notice(key=notice.key, recipient=notice.recipient, kind=notice.kind, text=notice.text))
    assert [[b.text for b in line] for line in markup.inline_keyboard] == [["我打电话问问"], ["请工作人员去看看"]]
    assert [line[0].callback_data for line in markup.inline_keyboard] == [f"rem:{row.id}:calling",
                                                                          f"rem:{row.id}:send_staff"]


def test_taken_in_time_tells_nobody_and_counts_in_the_week(sessions, settings, medicine) -> None:
    reminder_round(sessions, settings, minutes(10))
    [row] = occurrences(sessions)
    with sessions.begin() as session:
        answer(session.get(ReminderOccurrence, row.id), TAKEN, minutes(12))
    assert reminder_round(sessions, settings, minutes(45)) == []
    assert notices(sessions) == []
    with sessions() as session:
        week = week_of(session, 1, MONDAY_8 - dt.timedelta(hours=8), minutes(60))
    assert (week.taken, week.late, week.missed) == (1, 0, 0)


def test_the_worker_keeps_going_when_a_round_fails(sessions, settings, medicine, monkeypatch) -> None:
    worker = ReminderWorker(settings.with_overrides(fixed_now="2026-11-23T08:45:00"), sessions)
    assert len(worker.run_once()) == 1  # due at 08:10 and never confirmed
    monkeypatch.setattr("bot.workers.reminders.reminder_round", lambda *a: 1 / 0)
    assert worker.run_once() == [] and worker.failures == 1
