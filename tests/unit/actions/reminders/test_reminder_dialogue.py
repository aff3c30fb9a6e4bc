"""Setting, listing, changing and stopping reminders in speech and on Telegram, with the read-back; the
reminder said when due (frozen clock: Monday 2026-11-23 08:00) and answered taken / later / skip."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, Reminder, ReminderFollower, ReminderOccurrence
from actions.reminders.store import add_reminder
from tests.unit.actions.reminders.driver import FAMILY_SLOTS, Talk

pytestmark = pytest.mark.both_databases
NOW_UTC = dt.datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai


def reminders(sessions):
    with sessions() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.id)))


async def test_a_bedtime_medicine_reminder_is_read_back_and_set_only_after_yes(sessions, domain) -> None:
    talk = Talk(domain)
    said = await talk.text("每晚睡前提醒我吃药", "set_reminder")
    assert said == "我念一下：设个提醒，每天晚上九点提醒您吃药。对吗？"
    assert reminders(sessions) == []
    assert await talk.text("对", "affirm") == "好的，记下了。每天晚上九点我会提醒您吃药。"
    [row] = reminders(sessions)
    assert (row.what, row.daily, row.time, row.created_by, row.active) == ("吃药", True, "21:00", "resident:1", True)
    with sessions() as session:  # 张桂英's daughter 张丽 follows it
        assert list(session.scalars(select(ReminderFollower.family_member_id))) == [1]
        assert session.scalar(select(AuditLog.action).where(AuditLog.action == "reminder_set")) == "reminder_set"


async def test_after_a_meal_asks_when_and_a_correction_changes_the_read_back(sessions, domain) -> None:
    talk = Talk(domain)
    assert await talk.text("饭后提醒我吃药", "set_reminder") == "好的。饭后是几点呢？您说个钟点，比如中午十二点半。"
    assert await talk.text("十二点半", "inform") == "我念一下：设个提醒，今天（11月23日）中午十二点半提醒您吃药。对吗？"
    assert await talk.text("不对，是下午一点", "deny") == (
        "我念一下：设个提醒，今天（11月23日）下午一点提醒您吃药。对吗？")
    assert await talk.text("对", "affirm") == "好的，记下了。今天（11月23日）下午一点我会提醒您吃药。"
    [row] = reminders(sessions)
    assert (row.daily, row.day, row.time) == (False, dt.date(2026, 11, 23), "13:00")


async def test_next_tuesday_and_a_no_sets_nothing(sessions, domain) -> None:
    talk = Talk(domain)
    assert await talk.text("下周二上午提醒我去医院复查", "set_reminder") == (
        "我念一下：设个提醒，12月1日星期二上午九点提醒您去医院复查。对吗？")
    assert await talk.text("不要了", "deny") == "好的，这个提醒先不设了。"
    assert reminders(sessions) == []


async def test_a_time_already_past_is_refused_politely(sessions, domain) -> None:
    talk = Talk(domain)
    assert await talk.text("今天早上七点提醒我吃药", "set_reminder") == "那个时间已经过去了。要提醒哪天几点呢？"
    assert reminders(sessions) == []


async def test_what_is_asked_when_not_said(sessions, domain) -> None:
    talk = Talk(domain)
    assert await talk.text("帮我设个提醒，晚上九点", "set_reminder") == "好的。要提醒您做什么呢？比如吃药、去医院复查。"
    assert await talk.text("量血压", "nlu_fallback") == "我念一下：设个提醒，今天（11月23日）晚上九点提醒您量血压。对吗？"


async def test_a_relative_sets_one_on_telegram_and_follows_it(sessions, domain) -> None:
    talk = Talk(domain, FAMILY_SLOTS)
    assert await talk.text("提醒我妈每天晚上九点吃药", "set_reminder") == (
        "我念一下：设个提醒，每天晚上九点提醒张桂英吃药。对吗？")
    assert await talk.text("对", "affirm") == (
        "好的，记下了。每天晚上九点家里的小暖会提醒张桂英吃药；半小时没回应，我会告诉您。")
    [row] = reminders(sessions)
    assert row.created_by == "family:1"
    with sessions() as session:
        assert list(session.scalars(select(ReminderFollower.family_member_id))) == [1]


async def test_listed_changed_and_stopped_in_speech(sessions, domain) -> None:
    with sessions.begin() as session:
        add_reminder(session, 1, "吃药", True, None, 21, 0, "resident:1", NOW_UTC)
        add_reminder(session, 1, "去医院复查", False, dt.date(2026, 12, 1), 9, 0, "resident:1", NOW_UTC)
    talk = Talk(domain)
    assert await talk.text("我有哪些提醒", "list_reminders") == (
        "您有2个提醒：12月1日星期二上午九点去医院复查；每天晚上九点吃药。")
    assert await talk.text("吃药的提醒改到八点半", "change_reminder") == (
        "我念一下：改提醒，吃药改到每天早上八点半。对吗？")
    assert await talk.text("不对，晚上八点半", "deny") == "我念一下：改提醒，吃药改到每天晚上八点半。对吗？"
    assert await talk.text("对", "affirm") == "好的，改好了：每天晚上八点半提醒您吃药。"
    assert [r.time for r in reminders(sessions)] == ["20:30", "09:00"]
    assert await talk.text("吃药不用提醒了", "stop_reminder") == "我念一下：停掉提醒，以后不再提醒您吃药了。对吗？"
    assert await talk.text("对", "affirm") == "好的，停掉了，以后不再提醒您吃药。"
    assert [r.active for r in reminders(sessions)] == [False, True]
    said = await talk.say("不用提醒了", "stop_reminder")
    assert said[0]["text"] == "我念一下：停掉提醒，以后不再提醒您去医院复查了。对吗？"
    assert await talk.text("不对", "deny") == "好的，提醒还留着。"
    assert [r.active for r in reminders(sessions)] == [False, True]


async def test_with_several_the_stop_asks_which_with_buttons(sessions, domain) -> None:
    with sessions.begin() as session:
        first = add_reminder(session, 1, "吃药", True, None, 21, 0, "resident:1", NOW_UTC)
        add_reminder(session, 1, "量血压", True, None, 7, 0, "resident:1", NOW_UTC)
        session.flush()
        first_id = first.id
    talk = Talk(domain)
    [message] = await talk.say("提醒都停了吧", "stop_reminder")
    assert message["text"] == "您有2个提醒：每天早上七点量血压；每天晚上九点吃药。要停掉哪一个？"
    assert [b["title"] for b in message["buttons"]] == ["量血压", "吃药"]
    said = await talk.text(f'/stop_reminder{{"reminder_id": "{first_id}"}}', "stop_reminder", reminder_id=str(first_id))
    assert said == "我念一下：停掉提醒，以后不再提醒您吃药了。对吗？"


async def test_due_at_the_kiosk_then_taken_later_skipped(sessions, domain, monkeypatch) -> None:
    with sessions.begin() as session:
        add_reminder(session, 1, "吃药", True, None, 7, 50, "resident:1", NOW_UTC - dt.timedelta(days=1))
    talk = Talk(domain)
    [message] = await talk.say("/reminder_due", "reminder_due")
    assert message["text"] == "张奶奶，该吃药了。吃过了就说“吃过了”，要晚一点就说“等一会儿”。"
    assert [b["payload"] for b in message["buttons"]] == ["/reminder_done", "/reminder_later", "/reminder_skip"]
    assert await talk.text("等一会儿", "reminder_later") == "好的，过十分钟我再提醒您。"
    with sessions() as session:
        row = session.scalars(select(ReminderOccurrence)).one()
        assert (row.status, row.snoozed, row.says) == ("due", 1, 1)
        assert row.next_say_at == NOW_UTC + dt.timedelta(minutes=10)
    assert await talk.text("吃过了", "reminder_done") == "好的，记下了。您真棒！"
    with sessions() as session:
        assert session.scalars(select(ReminderOccurrence)).one().status == "taken"
    assert await talk.text("/reminder_due", "reminder_due") == "现在没有要提醒您的事。"


async def test_a_relative_hears_how_the_week_went(sessions, domain) -> None:
    with sessions.begin() as session:
        reminder = add_reminder(session, 1, "吃药", True, None, 7, 0, "resident:1", NOW_UTC - dt.timedelta(days=1))
        session.flush()
        session.add(ReminderOccurrence(reminder_id=reminder.id, resident_id=1, due_at=NOW_UTC - dt.timedelta(hours=1),
                                       status="taken", answered_at=NOW_UTC - dt.timedelta(minutes=55)))
    talk = Talk(domain, FAMILY_SLOTS)
    assert await talk.text("我妈这周药按时吃了没有", "list_reminders") == (
        "张桂英有1个提醒：每天早上七点吃药。这一周一共提醒了1次：按时做了1次，没有漏掉的。")


async def test_a_button_for_a_reminder_already_stopped_asks_which_instead_of_failing(sessions, domain) -> None:
    with sessions.begin() as session:
        add_reminder(session, 1, "吃药", True, None, 21, 0, "resident:1", NOW_UTC)
        add_reminder(session, 1, "量血压", True, None, 7, 0, "resident:1", NOW_UTC)
    talk = Talk(domain)
    said = await talk.text('/change_reminder{"reminder_id": "999"}', "change_reminder", reminder_id="999")
    assert said == "您有2个提醒：每天早上七点量血压；每天晚上九点吃药。要改哪一个？"
