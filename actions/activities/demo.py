"""The demo district's activities, written with the rest of the demo data (relative to the seeding day)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect
from sqlalchemy.orm import sessionmaker

from actions.db.models import Activity

# (days after the seeding day, hour, minute, title, kind, place, for whom, capacity)
DEMO_ACTIVITIES = (
    (2, 9, 0, "义诊：量血压、测血糖", "义诊", "幸福里社区服务中心一楼", "60岁以上居民", 30),
    (3, 14, 30, "防诈骗讲座", "讲座", "幸福里社区活动室", "", 50),
    (4, 9, 30, "智能手机课：学用微信视频", "课程", "幸福里社区活动室", "60岁以上居民", 20),
    (7, 9, 0, "老年大学书法班开课", "老年大学", "街道老年大学二楼教室", "60岁以上居民", 25),
    (9, 8, 0, "免费体检", "体检", "社区卫生服务站", "65岁以上居民", 40),
)


def seed_activities(sessions: sessionmaker, today: dt.date) -> None:
    """Written when the schema has activities (a first-release database seeded by an older version does not)."""
    with sessions.begin() as session:
        if not inspect(session.connection()).has_table(Activity.__tablename__):
            return
        for days, hour, minute, title, kind, place, for_whom, capacity in DEMO_ACTIVITIES:
            starts = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute))
            session.add(Activity(title=title, kind=kind, starts_at=starts, place=place, for_whom=for_whom,
                                 capacity=capacity, booked=0, status="open", created_by="seed"))
