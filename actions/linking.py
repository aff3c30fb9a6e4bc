"""Family linking codes: issued by staff or by the senior at the kiosk, typed once in a family member's chat.

A code is six digits, valid for 24 hours and used once; a chat gets at most
five wrong tries an hour, so guessing one of a million codes is hopeless.
Using a code creates the family member (named as Telegram names them) and the
link, and makes that parent the one the chat acts for.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from actions.db.atomic import insert_ignore
from actions.db.models import (
    AuditLog,
    FamilyLink,
    FamilyMember,
    LinkAttempt,
    LinkCode,
    Resident,
    TelegramChat,
)
from actions.outbox import enqueue
from bot.kernel.clock import utcnow

CODE_DIGITS = 6
VALID_FOR = dt.timedelta(hours=24)
MAX_WRONG_PER_HOUR = 5
ATTEMPT_WINDOW = dt.timedelta(hours=1)

OK, WRONG, EXPIRED, USED, TOO_MANY, ALREADY = "ok", "wrong", "expired", "used", "too_many", "already_linked"


@dataclass(frozen=True)
class Redeemed:
    status: str  # one of OK, WRONG, EXPIRED, USED, TOO_MANY, ALREADY
    resident_id: Optional[int] = None
    resident_name: str = ""
    family_member_id: Optional[int] = None
    tries_left: int = 0


def looks_like_code(text: str) -> Optional[str]:
    """"123 456" or "１２３４５６" → "123456"; None when the text is not a six-digit code."""
    digits = "".join(ch for ch in (text or "") if not ch.isspace() and ch not in "-")
    # isdecimal, not isdigit: "²" is a digit int() cannot read; full-width "１" is decimal and reads as 1.
    if len(digits) != CODE_DIGITS or not all(ch.isdecimal() for ch in digits):
        return None
    return "".join(str(int(ch)) for ch in digits)  # full-width digits become ASCII


def issue_code(session: Session, resident_id: int, issued_by: str, now: Optional[dt.datetime] = None) -> str:
    """A fresh code for the resident, unlike any code still valid (in the caller's transaction)."""
    if session.get(Resident, resident_id) is None:
        raise LookupError(f"resident {resident_id} does not exist")
    now = now or utcnow()
    while True:
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        clash = session.scalar(select(LinkCode.id).where(
            LinkCode.code == code, LinkCode.used_at.is_(None), LinkCode.expires_at > now))
        if clash is None:
            break
    session.add(LinkCode(code=code, resident_id=resident_id, issued_by=issued_by, created_at=now,
                         expires_at=now + VALID_FOR))
    session.add(AuditLog(actor=issued_by, action="link_code_issued", target=f"resident:{resident_id}"))
    return code


def wrong_tries(session: Session, chat_id: str, now: dt.datetime) -> int:
    return session.scalar(select(func.count(LinkAttempt.id)).where(
        LinkAttempt.chat_id == chat_id, LinkAttempt.ok.is_(False),
        LinkAttempt.created_at > now - ATTEMPT_WINDOW)) or 0


def _family_member(session: Session, chat_id: str, name: str) -> FamilyMember:
    member = session.scalar(select(FamilyMember).where(FamilyMember.telegram_chat_id == chat_id))
    if member is None:
        member = FamilyMember(name=(name or "家属")[:40], telegram_chat_id=chat_id)
        session.add(member)
        session.flush()
    return member


def _refuse(session: Session, chat_id: str, status: str, now: dt.datetime) -> Redeemed:
    session.add(LinkAttempt(chat_id=chat_id, ok=False, created_at=now))
    session.flush()
    left = max(0, MAX_WRONG_PER_HOUR - wrong_tries(session, chat_id, now))
    return Redeemed(status=status, tries_left=left)


def redeem(session: Session, chat_id: str, code: str, family_name: str,
           now: Optional[dt.datetime] = None) -> Redeemed:
    """Use a code from a chat (in the caller's transaction, which should commit even on refusal)."""
    now = now or utcnow()
    if wrong_tries(session, chat_id, now) >= MAX_WRONG_PER_HOUR:
        return Redeemed(status=TOO_MANY)
    row = session.scalar(select(LinkCode).where(LinkCode.code == code).order_by(LinkCode.id.desc()))
    if row is None:
        return _refuse(session, chat_id, WRONG, now)
    if row.used_at is not None:
        return _refuse(session, chat_id, USED, now)
    if row.expires_at <= now:
        return _refuse(session, chat_id, EXPIRED, now)
    resident = session.get(Resident, row.resident_id)
    member = _family_member(session, chat_id, family_name)
    if session.scalar(select(FamilyLink.id).where(FamilyLink.family_member_id == member.id,
                                                  FamilyLink.resident_id == resident.id)) is not None:
        _make_active(session, chat_id, member.id, resident.id)
        return Redeemed(ALREADY, resident.id, resident.name, member.id)
    taken = session.execute(update(LinkCode).where(LinkCode.id == row.id, LinkCode.used_at.is_(None))
                            .values(used_at=now, used_by=member.id).execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # a concurrent redemption won
        return _refuse(session, chat_id, USED, now)
    insert_ignore(session, FamilyLink.__table__, dict(family_member_id=member.id, resident_id=resident.id,
                                                      relation="", created_at=now),
                  ("family_member_id", "resident_id"))
    _make_active(session, chat_id, member.id, resident.id)
    session.add(LinkAttempt(chat_id=chat_id, ok=True, created_at=now))
    session.add(AuditLog(actor=f"family:{member.id}", action="family_linked", target=f"resident:{resident.id}",
                         detail=f"telegram chat {chat_id}, code issued by {row.issued_by}"))
    enqueue(session, [(f"resident:{resident.id}", f"您的家人{member.name}已经在手机上绑定了小暖，"
                                                  "可以帮您订餐、约服务，有紧急情况也会马上告诉他们。")],
            "family_linked", f"linked:{member.id}:{resident.id}:{row.id}")
    return Redeemed(OK, resident.id, resident.name, member.id)


def _make_active(session: Session, chat_id: str, family_member_id: int, resident_id: int) -> None:
    chat = session.get(TelegramChat, chat_id)
    if chat is None:
        session.add(TelegramChat(chat_id=chat_id, family_member_id=family_member_id, active_resident_id=resident_id))
    else:
        chat.family_member_id = family_member_id
        chat.active_resident_id = resident_id


def linked_parents(session: Session, family_member_id: int) -> List[Tuple[int, str]]:
    """(resident id, name) of everyone the family member may act for, in linking order."""
    return [(rid, name) for rid, name in session.execute(
        select(Resident.id, Resident.name).join(FamilyLink, FamilyLink.resident_id == Resident.id)
        .where(FamilyLink.family_member_id == family_member_id).order_by(FamilyLink.id))]


def unlink(session: Session, family_member_id: int, resident_id: int) -> bool:
    """Remove a link; the chat then acts for another linked parent, or none. False if there was no link."""
    removed = session.execute(delete(FamilyLink).where(FamilyLink.family_member_id == family_member_id,
                                                       FamilyLink.resident_id == resident_id)).rowcount
    if not removed:
        return False
    remaining = linked_parents(session, family_member_id)
    for chat in session.scalars(select(TelegramChat).where(TelegramChat.family_member_id == family_member_id)):
        if chat.active_resident_id == resident_id:
            chat.active_resident_id = remaining[0][0] if remaining else None
    session.add(AuditLog(actor=f"family:{family_member_id}", action="family_unlinked",
                         target=f"resident:{resident_id}"))
    return True
