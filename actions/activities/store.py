"""Activities in the database: publish, list, sign up without ever exceeding the places, cancel, remind.

A sign-up takes its place with one conditional UPDATE on the activity's own counter
(`booked + 1 <= capacity`, actions/db/atomic.py), the way meal sittings are held: SQLite and
PostgreSQL apply it atomically, so concurrent sign-ups never exceed the capacity.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import List, Optional, Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from actions.activities.phrases import line
from actions.db.atomic import Refused, booked_by_message, take_capacity
from actions.db.models import Activity, ActivitySignup, Resident
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from bot.kernel.clock import utcnow

REMIND_FROM_HOUR = 9  # the reminder the day before is said from this local hour


class Problem(Enum):
    FULL = "full"
    PAST = "past"
    CLOSED = "closed"
    ALREADY = "already"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class NewActivity:
    title: str
    starts_at: dt.datetime  # local
    place: str
    capacity: int
    for_whom: str = ""
    kind: str = ""


def check_new(new: NewActivity, now: dt.datetime) -> Optional[str]:
    """Why staff cannot publish this (in Chinese, for the console), or None."""
    if not new.title.strip():
        return "请填写活动名称。"
    if len(new.title) > 60 or len(new.place) > 100 or len(new.for_whom) > 100:
        return "名称或地点太长了。"
    if new.starts_at <= now:
        return "活动时间已经过去了，请选以后的时间。"
    if not 1 <= new.capacity <= 10000:
        return "名额要在1到10000之间。"
    return None


def publish(sessions: sessionmaker, new: NewActivity, actor: str) -> int:
    with sessions.begin() as session:
        row = Activity(title=new.title.strip(), kind=new.kind.strip(), starts_at=new.starts_at,
                       place=new.place.strip(), for_whom=new.for_whom.strip(), capacity=new.capacity, booked=0,
                       status="open", created_by=actor)
        session.add(row)
        session.flush()
        return row.id


def upcoming(session: Session, now: dt.datetime, words: Sequence[str] = (), limit: int = 5) -> List[Activity]:
    """Open activities from now on, soonest first; with words, those whose title or kind holds one."""
    rows = list(session.scalars(select(Activity).where(Activity.status == "open", Activity.starts_at > now)
                                .order_by(Activity.starts_at, Activity.id)))
    if words:
        rows = [row for row in rows if any(word in row.title or (row.kind and word in row.kind) for word in words)]
    return rows[:limit]


@dataclass(frozen=True)
class SignupResult:
    signup_id: Optional[int] = None
    problem: Optional[Problem] = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.signup_id is not None


def _notify(session: Session, activity: Activity, signup: ActivitySignup, kind: str, actor: str) -> None:
    resident = session.get(Resident, signup.resident_id)
    verb = "报好名了" if kind == "activity_booked" else "的报名取消了"
    messages = [(f"resident:{resident.id}", f"您{line(activity)}{verb}。")] + [
        (f"family:{fid}", f"{resident.name}{line(activity)}{verb}。") for fid in linked_family_ids(session, resident.id)]
    enqueue(session, [(r, t) for r, t in messages if r != actor], kind, f"activity:{signup.id}:{kind}:{signup.status}"
            f":{signup.cancelled_at.isoformat() if signup.cancelled_at else signup.created_at.isoformat()}")


def sign_up(sessions: sessionmaker, activity_id: int, resident_id: int, actor: str, now: dt.datetime,
            message_id: Optional[str] = None) -> SignupResult:
    """One place, in one transaction: checks, then the counter, then the row (or the cancelled row again)."""
    seen = booked_by_message(sessions, ActivitySignup, message_id)
    if seen is not None:
        return SignupResult(signup_id=seen, replayed=True)
    try:
        with sessions.begin() as session:
            activity = session.get(Activity, activity_id)
            if activity is None:
                raise Refused(Problem.UNKNOWN)
            if activity.status != "open":
                raise Refused(Problem.CLOSED)
            if activity.starts_at <= now:
                raise Refused(Problem.PAST)
            existing = session.scalar(select(ActivitySignup).where(
                ActivitySignup.activity_id == activity_id, ActivitySignup.resident_id == resident_id))
            if existing is not None and existing.status == "booked":
                raise Refused(Problem.ALREADY)
            if not take_capacity(session, Activity, (Activity.id == activity_id,), 1):
                raise Refused(Problem.FULL)
            if existing is None:
                existing = ActivitySignup(activity_id=activity_id, resident_id=resident_id, status="booked",
                                          booked_by=actor, message_id=message_id, created_at=utcnow())
                session.add(existing)
            else:
                existing.status, existing.booked_by, existing.cancelled_at = "booked", actor, None
                existing.created_at, existing.reminded_at = utcnow(), None
            session.flush()
            session.refresh(activity)
            _notify(session, activity, existing, "activity_booked", actor)
            return SignupResult(signup_id=existing.id)
    except Refused as refused:
        return SignupResult(problem=refused.problem)
    except IntegrityError:
        # A concurrent sign-up of the same resident (or the same message again) won: no second place.
        seen = booked_by_message(sessions, ActivitySignup, message_id)
        if seen is not None:
            return SignupResult(signup_id=seen, replayed=True)
        return SignupResult(problem=Problem.ALREADY)


def cancel(sessions: sessionmaker, signup_id: int, actor: str, now: dt.datetime) -> Optional[Problem]:
    """Cancel before the start and give the place back; None when done (or done before)."""
    with sessions.begin() as session:
        signup = session.get(ActivitySignup, signup_id)
        if signup is None:
            return Problem.UNKNOWN
        activity = session.get(Activity, signup.activity_id)
        if activity.starts_at <= now:
            return Problem.PAST
        changed = session.execute(
            update(ActivitySignup).where(ActivitySignup.id == signup_id, ActivitySignup.status == "booked")
            .values(status="cancelled", cancelled_at=utcnow()).execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            return None
        session.execute(update(Activity).where(Activity.id == activity.id)
                        .values(booked=Activity.booked - 1).execution_options(synchronize_session=False))
        session.refresh(signup)
        _notify(session, activity, signup, "activity_cancelled", actor)
        return None


def call_off(sessions: sessionmaker, activity_id: int, actor: str) -> Optional[int]:
    """Staff call an activity off: closed to sign-ups, everyone signed up (and their relatives) told once;
    how many were signed up, or None when there is no such open activity."""
    with sessions.begin() as session:
        changed = session.execute(update(Activity).where(Activity.id == activity_id, Activity.status == "open")
                                  .values(status="cancelled").execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            return None
        activity = session.get(Activity, activity_id)
        signups = list(session.scalars(select(ActivitySignup).where(
            ActivitySignup.activity_id == activity_id, ActivitySignup.status == "booked")))
        for signup in signups:
            resident = session.get(Resident, signup.resident_id)
            said = f"{line(activity)}取消了，不用去了。给您添麻烦了。"
            messages = [(f"resident:{resident.id}", f"告诉您：{said}")] + [
                (f"family:{fid}", f"{resident.name}报名的{said}") for fid in linked_family_ids(session, resident.id)]
            enqueue(session, messages, "activity_called_off", f"activity:{activity_id}:called_off")
        return len(signups)


def signups_of(session: Session, resident_id: int, now: dt.datetime) -> List[tuple]:
    """(signup, activity) of a resident's places still to come, soonest first."""
    return list(session.execute(
        select(ActivitySignup, Activity).join(Activity, Activity.id == ActivitySignup.activity_id)
        .where(ActivitySignup.resident_id == resident_id, ActivitySignup.status == "booked",
               Activity.starts_at > now, Activity.status == "open")
        .order_by(Activity.starts_at)).all())


def remind_tomorrow(sessions: sessionmaker, now: dt.datetime) -> int:
    """Queue the reminder the day before (from 9 in the morning) for every place at an activity tomorrow
    (local day); once each."""
    if now.hour < REMIND_FROM_HOUR:
        return 0
    tomorrow = now.date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time())
    queued = 0
    with sessions.begin() as session:
        rows = session.execute(
            select(ActivitySignup, Activity).join(Activity, Activity.id == ActivitySignup.activity_id)
            .where(ActivitySignup.status == "booked", ActivitySignup.reminded_at.is_(None),
                   Activity.status == "open", Activity.starts_at >= start,
                   Activity.starts_at < start + dt.timedelta(days=1))).all()
        for signup, activity in rows:
            enqueue(session, [(f"resident:{signup.resident_id}", f"提醒您：明天有{line(activity)}，您报了名，别忘了去。")],
                    "activity_reminder", f"activity:{signup.id}:reminder:{tomorrow.isoformat()}")
            signup.reminded_at = utcnow()
            queued += 1
    return queued
