"""The daily word to the family: at the hour a relative picked, a short Telegram summary of the parent's day.

What it tells: the check-in answer, meals booked for the day, home visits, activities, reminders taken or
missed, alerts; "一切都好"
when it was an ordinary day. A relative switches it on at an hour, or off (`set_plan`); no plan is off.
The round (`daily_word_round`, run by the care worker each minute) queues each word once a day in the
outbox, keyed by relative, resident and day, so a repeated round sends nothing twice.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import (
    Activity,
    ActivitySignup,
    Alert,
    Checkin,
    DailyWordPlan,
    FamilyLink,
    MealBooking,
    Reminder,
    ReminderOccurrence,
    Resident,
    ServiceBooking,
    ServiceSlot,
    ServiceType,
)
from actions.meals.phrases import meal_word
from actions.outbox import enqueue
from bot.kernel.clock import utcnow

DEFAULT_HOUR = 20
ALL_WELL = "一切都好。"


def set_plan(sessions: sessionmaker, family_member_id: int, resident_id: int, hour: Optional[int]) -> bool:
    """Switch the word on at `hour` (0-23), or off with None; False when the relative is not linked."""
    with sessions.begin() as session:
        linked = session.scalar(select(FamilyLink.id).where(FamilyLink.family_member_id == family_member_id,
                                                            FamilyLink.resident_id == resident_id))
        if linked is None:
            return False
        plan = session.scalar(select(DailyWordPlan).where(DailyWordPlan.family_member_id == family_member_id,
                                                          DailyWordPlan.resident_id == resident_id))
        if plan is None:
            plan = DailyWordPlan(family_member_id=family_member_id, resident_id=resident_id)
            session.add(plan)
        plan.enabled = hour is not None
        plan.hour = hour if hour is not None else (plan.hour or DEFAULT_HOUR)
        plan.updated_at = utcnow()
        return True


def _checkin_line(session: Session, resident_id: int, day: dt.date) -> tuple:
    """(line, worrying) for the day's check-in."""
    row = session.scalar(select(Checkin).where(Checkin.resident_id == resident_id, Checkin.day == day))
    if row is None:
        return "", False
    if row.answered_at is not None:
        if row.mood == "low":
            said = f"（说的是“{row.answer[:30]}”）" if row.answer else ""
            return f"早上问候时说不太好{said}。", True
        return "早上问候时说挺好的。", False
    if row.escalated_at is not None:
        return "早上问候没有回答，社区已经去看过了。", True
    return "早上问候还没有回答。", True


def _reminder_line(session: Session, resident_id: int, day_start_utc: dt.datetime,
                   day_end_utc: dt.datetime) -> tuple:
    """("吃药的提醒：按时吃了。" / "…没有回应。", whether one was missed) for the reminders due that day."""
    rows = session.execute(select(Reminder.what, ReminderOccurrence.status).join(
        Reminder, Reminder.id == ReminderOccurrence.reminder_id).where(
        ReminderOccurrence.resident_id == resident_id, ReminderOccurrence.due_at >= day_start_utc,
        ReminderOccurrence.due_at < day_end_utc).order_by(ReminderOccurrence.due_at)).all()
    said = {"taken": "做了", "skipped": "说这次不做", "missed": "没有回应", "due": "还没回应"}
    parts = [f"{what}{said.get(status, '还没回应')}" for what, status in rows]
    if not parts:
        return "", False
    return "提醒：" + "，".join(parts) + "。", any(status == "missed" for _, status in rows)


def compose(session: Session, resident_id: int, day: dt.date, day_start_utc: dt.datetime,
            day_end_utc: dt.datetime) -> str:
    """The word about one resident's local day (the UTC bounds are for rows stamped in UTC)."""
    resident = session.get(Resident, resident_id)
    lines: List[str] = []
    checkin, worrying = _checkin_line(session, resident_id, day)
    if checkin:
        lines.append(checkin)
    meals = list(session.scalars(select(MealBooking).where(
        MealBooking.resident_id == resident_id, MealBooking.day == day, MealBooking.status == "booked")))
    if meals:
        lines.append("今天订了" + "、".join(meal_word(m.meal_type) for m in meals) + "。")
    visits = session.execute(select(ServiceType.name, ServiceBooking.status).join(
        ServiceSlot, ServiceSlot.id == ServiceBooking.slot_id).join(
        ServiceType, ServiceType.id == ServiceSlot.service_type_id).where(
        ServiceBooking.resident_id == resident_id, ServiceSlot.day == day,
        ServiceBooking.status != "cancelled")).all()
    for name, status in visits:
        lines.append(f"今天有{name}上门（{'已经做完了' if status == 'done' else '已约好'}）。")
    activities = list(session.scalars(select(Activity.title).join(
        ActivitySignup, ActivitySignup.activity_id == Activity.id).where(
        ActivitySignup.resident_id == resident_id, ActivitySignup.status == "booked",
        Activity.starts_at >= dt.datetime.combine(day, dt.time()),
        Activity.starts_at < dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))))
    for title in activities:
        lines.append(f"报名参加了{title}。")
    reminder_line, missed = _reminder_line(session, resident_id, day_start_utc, day_end_utc)
    if reminder_line:
        lines.append(reminder_line)
        worrying = worrying or missed
    alerts = list(session.scalars(select(Alert).where(
        Alert.resident_id == resident_id, Alert.created_at >= day_start_utc, Alert.created_at < day_end_utc)))
    if alerts:
        worrying = True
        open_ = [a for a in alerts if a.status != "resolved"]
        lines.append(f"今天有{len(alerts)}次求助" + ("，社区还在处理。" if open_ else "，都已经处理好了。"))
    head = f"{resident.name}今天（{day.month}月{day.day}日）："
    if not worrying:
        lines.append(ALL_WELL)
    return head + "".join(lines)


def daily_word_round(sessions: sessionmaker, now: dt.datetime, utc_offset: dt.timedelta) -> int:
    """Queue today's word for every plan whose hour has come and that has not had it today; how many."""
    today = now.date()
    day_start_utc = dt.datetime.combine(today, dt.time()) - utc_offset
    day_end_utc = day_start_utc + dt.timedelta(days=1)
    queued = 0
    with sessions.begin() as session:
        plans = list(session.scalars(select(DailyWordPlan).where(
            DailyWordPlan.enabled.is_(True), DailyWordPlan.hour <= now.hour)))
        for plan in plans:
            if plan.last_sent_day == today:
                continue
            text = compose(session, plan.resident_id, today, day_start_utc, day_end_utc)
            enqueue(session, [(f"family:{plan.family_member_id}", text)], "daily_word",
                    f"daily_word:{plan.resident_id}:{today.isoformat()}")
            plan.last_sent_day = today
            queued += 1
    return queued
