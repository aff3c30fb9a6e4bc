"""What the Telegram channel keeps per chat in the database: who it is, which parent, voice replies,
and which update ids were handled already. Synchronous; the handlers call it from a worker thread."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from actions.db.models import (
    Alert,
    AlertResponse,
    AuditLog,
    FamilyMember,
    HandoffRequest,
    ReminderOccurrence,
    TelegramChat,
    TelegramUpdate,
)
from actions.linking import Redeemed, linked_parents, redeem, unlink
from actions.outbox import insert_once
from bot.kernel.clock import utcnow

KEEP_UPDATE_IDS = dt.timedelta(days=7)


@dataclass(frozen=True)
class ChatState:
    chat_id: str
    family_member_id: Optional[int]
    family_name: str
    parents: Tuple[Tuple[int, str], ...]  # (resident id, name), linked ones only
    active_resident_id: Optional[int]
    voice_replies: bool

    @property
    def linked(self) -> bool:
        return self.family_member_id is not None and self.active_resident_id is not None

    @property
    def active_name(self) -> str:
        return next((name for rid, name in self.parents if rid == self.active_resident_id), "")

    def may_act_for(self, resident_id: int) -> bool:
        return any(rid == resident_id for rid, _ in self.parents)


class ChatStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def first_time(self, update_id: int) -> bool:
        """Record an update id; False when it was handled before (a replay, or Telegram sending it again)."""
        with self.sessions.begin() as session:
            return insert_once(session, TelegramUpdate(update_id=update_id))

    def forget_old_updates(self) -> int:
        with self.sessions.begin() as session:
            return session.execute(delete(TelegramUpdate).where(
                TelegramUpdate.received_at < utcnow() - KEEP_UPDATE_IDS)).rowcount

    def state(self, chat_id: str) -> ChatState:
        """The chat as it is now; the active parent is checked against the links every time."""
        with self.sessions.begin() as session:
            chat = session.get(TelegramChat, chat_id)
            member = session.scalar(select(FamilyMember).where(FamilyMember.telegram_chat_id == chat_id))
            parents: List[Tuple[int, str]] = linked_parents(session, member.id) if member else []
            active = chat.active_resident_id if chat else None
            if active not in {rid for rid, _ in parents}:
                active = parents[0][0] if parents else None
                if chat is not None:
                    chat.active_resident_id = active
            return ChatState(chat_id, member.id if member else None, member.name if member else "",
                             tuple(parents), active, bool(chat and chat.voice_replies))

    def state_for_words(self, chat_id: str, words: str) -> ChatState:
        """The chat's state, switched first to the linked parent the words are about (我妈, 我爸, a name)."""
        from bot.telegram.parents import parent_named

        state = self.state(chat_id)
        chosen = parent_named(words, state, self.sessions)
        if chosen is not None and chosen != state.active_resident_id and self.choose_parent(chat_id, chosen):
            state = self.state(chat_id)
        return state

    def redeem(self, chat_id: str, code: str, family_name: str) -> Redeemed:
        with self.sessions.begin() as session:
            return redeem(session, chat_id, code, family_name)

    def choose_parent(self, chat_id: str, resident_id: int) -> bool:
        """Make a linked parent the active one; False when this chat is not linked to them."""
        if not self.state(chat_id).may_act_for(resident_id):
            return False
        with self.sessions.begin() as session:
            chat = session.get(TelegramChat, chat_id)
            chat.active_resident_id = resident_id
        return True

    def unlink(self, chat_id: str, resident_id: int) -> bool:
        state = self.state(chat_id)
        if state.family_member_id is None or not state.may_act_for(resident_id):
            return False
        with self.sessions.begin() as session:
            return unlink(session, state.family_member_id, resident_id)

    def set_voice(self, chat_id: str, on: bool) -> None:
        with self.sessions.begin() as session:
            chat = session.get(TelegramChat, chat_id)
            if chat is None:
                session.add(TelegramChat(chat_id=chat_id, voice_replies=on))
            else:
                chat.voice_replies = on

    def answer_reminder(self, chat_id: str, occurrence_id: int, response: str) -> bool:
        """A relative's answer to "提醒没确认" about a parent they are linked to: noted, and a call-back request
        for staff when they ask staff to look in; False when the reminder is not their parent's."""
        state = self.state(chat_id)
        with self.sessions.begin() as session:
            row = session.get(ReminderOccurrence, occurrence_id)
            if row is None or state.family_member_id is None or not state.may_act_for(row.resident_id):
                return False
            if response == "send_staff":
                session.add(HandoffRequest(resident_id=row.resident_id, sender_id=f"telegram:{chat_id}",
                                           channel="telegram", reason="reminder_missed",
                                           last_text=f"提醒没确认（第{occurrence_id}条），家属请工作人员去看看"))
            session.add(AuditLog(actor=f"family:{state.family_member_id}", action=f"reminder_{response}",
                                 target=f"reminder_occurrence:{occurrence_id}"))
        return True

    def answer_alert(self, chat_id: str, alert_id: int, response: str) -> bool:
        """Record a relative's answer to an alert about a parent they are linked to; False otherwise."""
        state = self.state(chat_id)
        with self.sessions.begin() as session:
            alert = session.get(Alert, alert_id)
            if alert is None or state.family_member_id is None or alert.resident_id is None \
                    or not state.may_act_for(alert.resident_id):
                return False
            session.add(AlertResponse(alert_id=alert_id, family_member_id=state.family_member_id, response=response))
            session.add(AuditLog(actor=f"family:{state.family_member_id}", action=f"alert_{response}",
                                 target=f"alert:{alert_id}"))
        return True
