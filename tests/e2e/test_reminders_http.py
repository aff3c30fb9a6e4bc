"""Reminders through the real servers (Rasa + action server over HTTP, real SQLite, frozen clock Monday
08:00): set at a home kiosk in speech with the read-back, listed, stopped; set by a relative on Telegram;
said when due and answered; missed and told to the relative through the outbox."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import OutboxMessage, Reminder, ReminderOccurrence
from actions.reminders.rounds import reminder_round
from actions.reminders.store import add_reminder
from actions.residents import linked_family_ids
from bot.kernel.contract import ChannelMetadata

pytestmark = pytest.mark.e2e
MONDAY_8_UTC = dt.datetime(2026, 11, 23, 0, 0)


def _home(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home")


def _family(resident_id: int, member_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="telegram", role="family", resident_id=resident_id, family_member_id=member_id)


def _reminders(db, resident_id: int):
    with db() as session:
        return list(session.scalars(select(Reminder).where(Reminder.resident_id == resident_id)
                                    .order_by(Reminder.id)))


def test_set_at_the_kiosk_in_speech_read_back_listed_and_stopped(client, db) -> None:
    sender = "kiosk-home-5-reminders"
    asked = client.send(sender, "每晚睡前提醒我吃药", _home(5))
    assert asked.text == "我念一下：设个提醒，每天晚上九点提醒您吃药。对吗？"
    assert _reminders(db, 5) == []
    done = client.send(sender, "对", _home(5))
    assert done.text == "好的，记下了。每天晚上九点我会提醒您吃药。"
    [row] = _reminders(db, 5)
    assert (row.what, row.daily, row.time, row.active) == ("吃药", True, "21:00", True)
    listed = client.send(sender, "我都设了哪些提醒", _home(5))
    assert listed.text == "您有1个提醒：每天晚上九点吃药。"
    stop = client.send(sender, "吃药不用提醒了", _home(5))
    assert stop.text == "我念一下：停掉提醒，以后不再提醒您吃药了。对吗？"
    assert client.send(sender, "对", _home(5)).text == "好的，停掉了，以后不再提醒您吃药。"
    assert [r.active for r in _reminders(db, 5)] == [False]


def test_after_a_meal_asks_for_the_hour(client, db) -> None:
    sender = "kiosk-home-6-reminders"
    before = len(_reminders(db, 6))  # the servers are shared: other tests may have set 赵福海 reminders
    asked = client.send(sender, "饭后提醒我吃药", _home(6))
    assert asked.text == "好的。饭后是几点呢？您说个钟点，比如中午十二点半。"
    read_back = client.send(sender, "十二点半", _home(6))
    assert read_back.text == "我念一下：设个提醒，今天（11月23日）中午十二点半提醒您吃药。对吗？"
    assert client.send(sender, "不要了", _home(6)).text == "好的，这个提醒先不设了。"
    assert len(_reminders(db, 6)) == before


def test_a_relative_sets_one_on_telegram(client, db) -> None:
    sender = "telegram:9001:r4"
    asked = client.send(sender, "提醒我妈每天晚上九点吃药", _family(4, 3))
    assert asked.text.startswith("我念一下：设个提醒，每天晚上九点提醒") and asked.text.endswith("吃药。对吗？")
    assert [b.title for b in asked.buttons] == ["对", "不对"]
    done = client.send(sender, asked.buttons[0].payload, _family(4, 3))
    assert "家里的小暖会提醒" in done.text
    [row] = _reminders(db, 4)
    assert row.created_by == "family:3"


def test_due_said_at_the_kiosk_snoozed_and_taken(client, db) -> None:
    with db.begin() as session:
        add_reminder(session, 1, "吃药", True, None, 7, 55, "resident:1", MONDAY_8_UTC - dt.timedelta(days=1))
    sender = "kiosk-home-1-reminders"
    due = client.send(sender, "/reminder_due", _home(1))
    assert due.text == "张奶奶，该吃药了。吃过了就说“吃过了”，要晚一点就说“等一会儿”。"
    assert [b.title for b in due.buttons] == ["吃过了", "等一会儿", "这次不了"]
    assert client.send(sender, "我还没吃饭呢，等一会儿再吃", _home(1)).text == "好的，过十分钟我再提醒您。"
    with db() as session:
        [row] = session.scalars(select(ReminderOccurrence).where(ReminderOccurrence.resident_id == 1)).all()
        assert (row.status, row.snoozed, row.next_say_at) == ("due", 1, MONDAY_8_UTC + dt.timedelta(minutes=10))
    assert client.send(sender, "吃过了", _home(1)).text == "好的，记下了。您真棒！"
    with db() as session:
        [row] = session.scalars(select(ReminderOccurrence).where(ReminderOccurrence.resident_id == 1)).all()
        assert row.status == "taken"


def test_missed_and_the_son_told_through_the_outbox(stack, client, db) -> None:
    with db.begin() as session:  # 王建国 (resident 2); everyone linked to him follows his own reminder
        add_reminder(session, 2, "吃降压药", True, None, 7, 20, "resident:2", MONDAY_8_UTC - dt.timedelta(days=1))
        # his son 王强 (family 2), and any relative another test on these shared servers linked to him
        linked = sorted(f"family:{fid}" for fid in linked_family_ids(session, 2))
    assert "family:2" in linked
    missed = reminder_round(db, stack.settings, MONDAY_8_UTC)
    assert [(m.resident_id, m.told) for m in missed if m.resident_id == 2] == [(2, len(linked))]
    assert [m for m in reminder_round(db, stack.settings, MONDAY_8_UTC + dt.timedelta(minutes=1))
            if m.resident_id == 2] == [], "told once"
    with db() as session:
        notices = [n for n in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder_missed"))
                   if "王建国" in n.text]
    assert sorted(n.recipient for n in notices) == linked
    assert all(n.text.startswith("【提醒没确认】王建国今天07:20该吃降压药，家里的小暖没能提醒到") for n in notices)
