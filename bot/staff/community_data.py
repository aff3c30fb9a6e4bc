"""The community page's data: activities (publish, places taken), notices (send, who has not heard them),
and residents who have sounded low at the check-in several days in a row."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import func, select

from actions.activities import store
from actions.community_notices import check_text, send
from actions.db.models import Activity, Checkin, CommunityNotice, NoticeReceipt, Resident
from bot.kernel.clock import local_now, local_today
from bot.staff.app import Console

LOW_DAYS = 3  # this many check-ins in a row answered "不太好" put a resident on the list
LOOK_BACK_DAYS = 14


def activities(console: Console) -> List[Dict[str, Any]]:
    now = local_now(console.settings)
    with console.sessions() as session:
        rows = list(session.scalars(select(Activity).where(Activity.starts_at > now - dt.timedelta(days=1))
                                    .order_by(Activity.starts_at)))
        return [dict(id=a.id, title=a.title, kind=a.kind, when=a.starts_at.strftime("%m-%d %H:%M"), place=a.place,
                     for_whom=a.for_whom, capacity=a.capacity, booked=a.booked, open=a.status == "open",
                     upcoming=a.starts_at > now) for a in rows]


def call_off(console: Console, activity_id: int, actor: str) -> Optional[int]:
    return store.call_off(console.sessions, activity_id, actor)


def read_activity(form: Mapping[str, Any], now: dt.datetime) -> Tuple[Optional[store.NewActivity], List[str]]:
    """The activity typed in the form, or the reasons it cannot be published."""
    raw_when = (form.get("starts_at") or "").strip().replace("T", " ")
    try:
        starts = dt.datetime.strptime(raw_when, "%Y-%m-%d %H:%M")
    except ValueError:
        return None, ["时间请写成 2026-11-25 09:00 这样。"]
    try:
        capacity = int((form.get("capacity") or "").strip())
    except ValueError:
        return None, ["名额请写一个数字。"]
    new = store.NewActivity(title=(form.get("title") or "").strip(), starts_at=starts,
                            place=(form.get("place") or "").strip(), capacity=capacity,
                            for_whom=(form.get("for_whom") or "").strip(), kind=(form.get("kind") or "").strip())
    problem = store.check_new(new, now)
    return (None, [problem]) if problem else (new, [])


def publish(console: Console, new: store.NewActivity, actor: str) -> int:
    return store.publish(console.sessions, new, actor)


def read_notice(form: Mapping[str, Any]) -> Tuple[str, Optional[List[int]], bool, List[str]]:
    """(text, resident ids or None for everyone, tell the family?, problems)."""
    text = (form.get("text") or "").strip()
    problems = [p for p in [check_text(text)] if p]
    raw = (form.get("residents") or "").replace("，", ",").strip()
    ids: Optional[List[int]] = None
    if raw:
        try:
            ids = sorted({int(part) for part in raw.split(",") if part.strip()})
        except ValueError:
            problems.append("居民编号请用逗号隔开，比如 1,3,5；发给所有人就空着。")
        if ids is not None and (not ids or any(i < 1 or i > 2**31 - 1 for i in ids)):
            problems.append("居民编号不对。")
    to_family = (form.get("to_family") or "") in ("1", "on", "yes")
    return text, ids, to_family, problems


def send_notice(console: Console, text: str, ids: Optional[Sequence[int]], to_family: bool, actor: str) -> int:
    return send(console.sessions, text, ids, to_family, actor)


def notices(console: Console, limit: int = 10) -> List[Dict[str, Any]]:
    """The latest notices, how many heard them, and who has not yet."""
    with console.sessions() as session:
        rows = list(session.scalars(select(CommunityNotice).order_by(CommunityNotice.id.desc()).limit(limit)))
        out = []
        for notice in rows:
            total = session.scalar(select(func.count(NoticeReceipt.id)).where(NoticeReceipt.notice_id == notice.id))
            not_heard = list(session.scalars(select(Resident.name).join(
                NoticeReceipt, NoticeReceipt.resident_id == Resident.id).where(
                NoticeReceipt.notice_id == notice.id, NoticeReceipt.heard_at.is_(None)).order_by(Resident.id)))
            out.append(dict(id=notice.id, text=notice.text, created_at=notice.created_at, total=total or 0,
                            heard=(total or 0) - len(not_heard), not_heard=not_heard,
                            audience="所有居民" if notice.audience == "all" else f"{total}位居民"))
        return out


def low_moods(console: Console, days: int = LOW_DAYS) -> List[Dict[str, Any]]:
    """Residents whose latest `days` answered check-ins (in the last two weeks) were all "不太好"."""
    since = local_today(console.settings) - dt.timedelta(days=LOOK_BACK_DAYS)
    with console.sessions() as session:
        rows = session.execute(select(Checkin.resident_id, Checkin.day, Checkin.mood, Checkin.answer).where(
            Checkin.day >= since, Checkin.answered_at.is_not(None)).order_by(Checkin.resident_id,
                                                                            Checkin.day.desc())).all()
        by_resident: Dict[int, List[Any]] = {}
        for row in rows:
            by_resident.setdefault(row.resident_id, []).append(row)
        out = []
        for rid, answers in by_resident.items():
            latest = answers[:days]
            if len(latest) == days and all(a.mood == "low" for a in latest):
                streak = next((i for i, a in enumerate(answers) if a.mood != "low"), len(answers))
                resident = session.get(Resident, rid)
                out.append(dict(id=rid, name=resident.name if resident else "", days=streak,
                                last_day=latest[0].day, last_answer=latest[0].answer))
        return sorted(out, key=lambda r: -r["days"])
