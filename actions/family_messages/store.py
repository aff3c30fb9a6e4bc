"""Family messages in the database: left, heard at the kiosk, answered (the answer goes out through the outbox)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import FamilyLink, FamilyMember, FamilyNote, Resident
from actions.family_messages.words import FAMILY_REPLY
from actions.outbox import enqueue

TO_RESIDENT, TO_FAMILY = "to_resident", "to_family"
REPLY_KIND = "family_reply"


@dataclass(frozen=True)
class Heard:
    note_id: int
    text: str
    relation: str  # "女儿"
    family_member_id: int


def leave(session: Session, resident_id: int, family_member_id: int, text: str, now_utc: dt.datetime,
          audio_path: Optional[str] = None) -> FamilyNote:
    row = FamilyNote(resident_id=resident_id, family_member_id=family_member_id, direction=TO_RESIDENT, text=text,
                     audio_path=audio_path, created_at=now_utc)
    session.add(row)
    session.flush()
    return row


def relation_of(session: Session, resident_id: int, family_member_id: int) -> str:
    return session.scalar(select(FamilyLink.relation).where(FamilyLink.resident_id == resident_id,
                                                            FamilyLink.family_member_id == family_member_id)) or ""


def take_unheard(session: Session, resident_id: int, now_utc: dt.datetime, limit: int = 3) -> List[Heard]:
    """The oldest messages not heard yet (at most `limit`), marked heard."""
    rows = list(session.scalars(select(FamilyNote).where(
        FamilyNote.resident_id == resident_id, FamilyNote.direction == TO_RESIDENT, FamilyNote.heard_at.is_(None))
        .order_by(FamilyNote.id).limit(limit)))
    heard = []
    for row in rows:
        row.heard_at = now_utc
        heard.append(Heard(row.id, row.text, relation_of(session, resident_id, row.family_member_id),
                           row.family_member_id))
    return heard


def reply_target(session: Session, resident_id: int) -> Optional[int]:
    """Who an answer goes to: the relative of the last message heard, else the only linked relative."""
    last = session.scalar(select(FamilyNote.family_member_id).where(
        FamilyNote.resident_id == resident_id, FamilyNote.direction == TO_RESIDENT, FamilyNote.heard_at.is_not(None))
        .order_by(FamilyNote.heard_at.desc(), FamilyNote.id.desc()).limit(1))
    if last is not None:
        return last
    linked = list(session.scalars(select(FamilyLink.family_member_id).where(FamilyLink.resident_id == resident_id)))
    return linked[0] if len(linked) == 1 else None


def send_reply(session: Session, resident_id: int, family_member_id: int, text: str, now_utc: dt.datetime) -> FamilyNote:
    """The resident's answer, kept and queued for the relative's chat (once; the outbox retries)."""
    resident = session.get(Resident, resident_id)
    last = session.scalar(select(FamilyNote.id).where(
        FamilyNote.resident_id == resident_id, FamilyNote.family_member_id == family_member_id,
        FamilyNote.direction == TO_RESIDENT).order_by(FamilyNote.id.desc()).limit(1))
    row = FamilyNote(resident_id=resident_id, family_member_id=family_member_id, direction=TO_FAMILY, text=text,
                     created_at=now_utc, reply_to=last)
    session.add(row)
    session.flush()
    name = resident.name if resident else "老人"
    enqueue(session, [(f"family:{family_member_id}", FAMILY_REPLY.format(name=name, text=text))], REPLY_KIND,
            f"family_note:{row.id}")
    return row


def member_name(session: Session, family_member_id: int) -> str:
    member = session.get(FamilyMember, family_member_id)
    return member.name if member else ""
