"""The conversation list: filters from the query string, one page read from the summary table only."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.db.models import ConversationSummary, Resident
from bot.kernel.contract import CHANNELS
from bot.staff.masking import mask_in_text

PAGE_SIZE = 50
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)  # a day filter outside finds nothing
CHANNEL_NAMES = {"kiosk": "一体机", "telegram": "Telegram（家属）", "rest": "接口", "console": "命令行", "test": "测试"}
def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel or "未知")


def transcript_href(sender_id: str) -> str:
    return "/conversations/" + quote(sender_id, safe=":@")


@dataclass
class ListFilters:
    day: Optional[dt.date] = None
    channel: str = ""
    resident: str = ""
    missed: bool = False
    page: int = 1

    def query(self, page: Optional[int] = None) -> str:
        """The query string of these filters (for links to other pages)."""
        values = {"day": self.day.isoformat() if self.day else "", "channel": self.channel,
                  "resident": self.resident, "missed": "1" if self.missed else "", "page": page or self.page}
        return urlencode({key: value for key, value in values.items() if value})


def parse_filters(args: Mapping[str, str]) -> Tuple[ListFilters, List[str]]:
    """Filters from the query string; problems come back as messages and the filter is left out."""
    problems: List[str] = []
    filters = ListFilters(resident=(args.get("resident") or "").strip()[:40], missed=args.get("missed") == "1")
    raw_day = (args.get("day") or "").strip()
    if raw_day:
        try:
            filters.day = dt.date.fromisoformat(raw_day)
        except ValueError:
            problems.append("日期的格式不对，请用日历选一天。")
        else:
            if not FIRST_DAY <= filters.day <= LAST_DAY:  # 9999-12-31 has no next day to end the filter
                filters.day = None
                problems.append("日期超出范围，请用日历选一天。")
    channel = (args.get("channel") or "").strip()
    if channel in CHANNELS:
        filters.channel = channel
    elif channel:
        problems.append("没有这个渠道。")
    try:
        filters.page = max(1, min(int(args.get("page") or 1), 10_000))
    except ValueError:
        filters.page = 1
    return filters, problems


@dataclass
class ListedConversation:
    sender_id: str
    href: str
    channel: str
    resident_id: Optional[int]
    resident_name: str
    started_at: dt.datetime  # local time
    last_at: dt.datetime
    user_turns: int
    not_understood: int
    last_text: str


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(zone).replace(tzinfo=None)


def _utc_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.timezone.utc).replace(tzinfo=None)


def conversation_page(sessions: sessionmaker, filters: ListFilters,
                      timezone: str = "Asia/Shanghai") -> Tuple[List[ListedConversation], bool]:
    """One page, newest first, and whether another page follows."""
    zone = ZoneInfo(timezone)
    summary = ConversationSummary
    query = (select(summary, Resident.name).outerjoin(Resident, Resident.id == summary.resident_id)
             .where(summary.user_turns > 0))
    if filters.day is not None:
        query = query.where(summary.last_at >= _utc_midnight(filters.day, zone),
                            summary.started_at < _utc_midnight(filters.day + dt.timedelta(days=1), zone),
                            summary.active_days.contains(filters.day.strftime("%Y%m%d")))
    if filters.channel:
        query = query.where(summary.channel == filters.channel)
    if filters.resident.isdigit():
        query = query.where(summary.resident_id == int(filters.resident))
    elif filters.resident:
        named = select(Resident.id).where(Resident.name.contains(filters.resident, autoescape=True))
        query = query.where(summary.resident_id.in_(named))
    if filters.missed:
        query = query.where(summary.not_understood > 0)
    query = (query.order_by(summary.last_at.desc(), summary.sender_id)
             .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    with sessions() as session:
        rows = session.execute(query).all()
    listed = [ListedConversation(row.sender_id, transcript_href(row.sender_id), row.channel, row.resident_id,
                                 name or "", _local(row.started_at, zone), _local(row.last_at, zone),
                                 row.user_turns, row.not_understood, mask_in_text(row.last_text))
              for row, name in rows[:PAGE_SIZE]]
    return listed, len(rows) > PAGE_SIZE
