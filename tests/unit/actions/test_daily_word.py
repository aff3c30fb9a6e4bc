"""The daily word to the family on the real database: the day's summary, its hour, once a day, off."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.daily_word import ALL_WELL, daily_word_round, set_plan
from actions.db.models import Alert, Checkin, FamilyLink, OutboxMessage
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_databases

OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai


def _linked(sessions) -> tuple:
    with sessions() as session:
        link = session.scalars(select(FamilyLink).order_by(FamilyLink.id)).first()
        return link.family_member_id, link.resident_id


def _words(sessions) -> list:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "daily_word")))


def test_an_ordinary_day_is_all_well_at_the_hour_picked_and_once(sessions) -> None:
    family_id, resident_id = _linked(sessions)
    assert set_plan(sessions, family_id, resident_id, 20)
    assert daily_word_round(sessions, NOW.replace(hour=19, minute=59), OFFSET) == 0
    evening = NOW.replace(hour=20, minute=0)
    assert daily_word_round(sessions, evening, OFFSET) == 1
    assert daily_word_round(sessions, evening + dt.timedelta(minutes=1), OFFSET) == 0
    [word] = _words(sessions)
    assert word.recipient == f"family:{family_id}"
    assert word.text.endswith(ALL_WELL) and f"今天（{TODAY.month}月{TODAY.day}日）" in word.text


def test_a_low_check_in_and_an_alert_are_told_without_all_well(sessions) -> None:
    family_id, resident_id = _linked(sessions)
    set_plan(sessions, family_id, resident_id, 21)
    with sessions.begin() as session:
        session.add(Checkin(resident_id=resident_id, day=TODAY, answered_at=NOW - OFFSET, answer="腿疼，没睡好",
                            mood="low"))
        session.add(Alert(resident_id=resident_id, sender_id="k", channel="kiosk", text="我摔倒了",
                          created_at=NOW - OFFSET + dt.timedelta(hours=2), status="resolved"))
    assert daily_word_round(sessions, NOW.replace(hour=21), OFFSET) == 1
    [word] = _words(sessions)
    assert "早上问候时说不太好（说的是“腿疼，没睡好”）" in word.text
    assert "今天有1次求助，都已经处理好了。" in word.text
    assert ALL_WELL not in word.text


def test_switched_off_nothing_is_sent_and_an_unlinked_relative_cannot_switch_it_on(sessions) -> None:
    family_id, resident_id = _linked(sessions)
    set_plan(sessions, family_id, resident_id, 20)
    set_plan(sessions, family_id, resident_id, None)
    assert daily_word_round(sessions, NOW.replace(hour=22), OFFSET) == 0
    assert not set_plan(sessions, family_id, 99999, 20)


def test_reminders_taken_and_missed_are_told(sessions) -> None:
    from actions.db.models import Reminder, ReminderOccurrence

    family_id, resident_id = _linked(sessions)
    set_plan(sessions, family_id, resident_id, 21)
    with sessions.begin() as session:
        pills = Reminder(resident_id=resident_id, what="吃药", daily=True, time="08:00", created_by="resident:1")
        pressure = Reminder(resident_id=resident_id, what="量血压", daily=True, time="18:00", created_by="resident:1")
        session.add_all([pills, pressure])
        session.flush()
        session.add_all([ReminderOccurrence(reminder_id=pills.id, resident_id=resident_id, due_at=NOW - OFFSET,
                                            status="taken"),
                         ReminderOccurrence(reminder_id=pressure.id, resident_id=resident_id,
                                            due_at=NOW - OFFSET + dt.timedelta(hours=10), status="missed")])
    assert daily_word_round(sessions, NOW.replace(hour=21), OFFSET) == 1
    [word] = _words(sessions)
    assert "提醒：吃药做了，量血压没有回应。" in word.text and ALL_WELL not in word.text
