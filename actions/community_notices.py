"""Notices staff send to all or some residents (a heat warning, a water cut, a scam going round).

Each resident gets a receipt and a notice in the outbox for their kiosk inbox (actions/inbox.py), which
the kiosk says at the start of their next conversation; saying it marks the receipt heard, so the
console shows who has not heard it yet. Linked relatives can be told over Telegram as well.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import CommunityNotice, NoticeReceipt, Resident
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from bot.kernel.clock import utcnow

MAX_CHARS = 300
_KEY = re.compile(r"^community_notice:(\d+):resident:(\d+)$")


def check_text(text: str) -> Optional[str]:
    """Why this cannot be sent (in Chinese, for the console), or None."""
    if not text.strip():
        return "请写上通知的内容。"
    if len(text.strip()) > MAX_CHARS:
        return f"通知太长了，请写在{MAX_CHARS}个字以内：老人听着累。"
    return None


def send(sessions: sessionmaker, text: str, resident_ids: Optional[Sequence[int]], to_family: bool,
         actor: str) -> int:
    """Write the notice, a receipt per resident and their notices, in one transaction; the notice's id.

    `resident_ids` None means every resident.
    """
    with sessions.begin() as session:
        query = select(Resident.id).order_by(Resident.id)
        if resident_ids is not None:
            query = query.where(Resident.id.in_(list(resident_ids)))
        targets: List[int] = list(session.scalars(query))
        audience = "all" if resident_ids is None else ",".join(str(i) for i in targets)[:200]
        notice = CommunityNotice(text=text.strip(), audience=audience, to_family=to_family, created_by=actor)
        session.add(notice)
        session.flush()
        for rid in targets:
            session.add(NoticeReceipt(notice_id=notice.id, resident_id=rid))
        said = f"社区通知：{notice.text}"
        enqueue(session, [(f"resident:{rid}", said) for rid in targets], "community_notice",
                f"community_notice:{notice.id}")
        if to_family:
            family = sorted({fid for rid in targets for fid in linked_family_ids(session, rid)})
            enqueue(session, [(f"family:{fid}", f"社区通知（您家老人也会在小暖上听到）：{notice.text}")
                              for fid in family], "community_notice", f"community_notice:{notice.id}")
        return notice.id


def mark_heard(session: Session, inbox_keys: Sequence[str]) -> None:
    """The kiosk has just said these inbox notices: the community notices among them are heard."""
    for key in inbox_keys:
        match = _KEY.match(key)
        if match:
            session.execute(update(NoticeReceipt).where(
                NoticeReceipt.notice_id == int(match.group(1)), NoticeReceipt.resident_id == int(match.group(2)),
                NoticeReceipt.heard_at.is_(None)).values(heard_at=utcnow()))
