"""Outbox receiver for family members: sends their notices to their Telegram chat.

It is called from the outbox worker's thread and hands the sending to the
application's event loop. A notice key it has sent before is not sent again; a
relative without a chat, or one who blocked the bot, cannot be reached
(`Undeliverable`); any other failure is raised so the outbox tries later.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Optional

from sqlalchemy.orm import sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from actions.db.models import ChannelDelivery, FamilyMember
from actions.outbox import Notice, Undeliverable, insert_once
from bot.telegram.keyboards import alert_markup, reminder_markup

logger = logging.getLogger(__name__)
SLOWER = 0.9
_ALERT_CAUSE = re.compile(r"^alert:(\d+)$")
_REMINDER_CAUSE = re.compile(r"^reminder:(\d+):missed$")


def markup_for(notice: Notice) -> Optional[InlineKeyboardMarkup]:
    """An emergency comes with the two answers a relative can give; so does a reminder not confirmed."""
    match = _ALERT_CAUSE.match(notice.cause)
    if notice.kind == "emergency" and match:
        return alert_markup(int(match.group(1)))
    match = _REMINDER_CAUSE.match(notice.cause)
    return reminder_markup(int(match.group(1))) if notice.kind == "reminder_missed" and match else None


class TelegramReceiver:
    def __init__(self, sessions: sessionmaker, bot: Bot, loop: asyncio.AbstractEventLoop,
                 timeout_s: float = 20.0, synthesizer: Optional[Any] = None) -> None:
        self.synthesizer = synthesizer  # speaks a parent's answer ("family_reply") into a voice note
        self.sessions = sessions
        self.bot = bot
        self.loop = loop
        self.timeout_s = timeout_s

    def _chat_of(self, notice: Notice) -> Optional[str]:
        with self.sessions() as session:
            if session.get(ChannelDelivery, notice.key) is not None:
                return None
            member = session.get(FamilyMember, notice.recipient_id)
            if member is None or not member.telegram_chat_id:
                raise Undeliverable(f"{notice.recipient} has no Telegram chat")
            return member.telegram_chat_id

    async def _send(self, chat_id: str, notice: Notice) -> None:
        try:
            await self.bot.send_message(chat_id=chat_id, text=notice.text, reply_markup=markup_for(notice))
            if notice.kind == "family_reply" and self.synthesizer is not None:
                await self._send_voice(chat_id, notice)
        except Forbidden as exc:  # the relative blocked the bot or left
            raise Undeliverable(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise Undeliverable(str(exc)) from exc
            raise

    async def _send_voice(self, chat_id: str, notice: Notice) -> None:
        """The parent's words as a voice note after the text (its transcript); a voice failure loses nothing."""
        words = notice.text.split("：", 1)[-1].strip("“”")
        try:  # the text has gone: a failure here must not send it again through a retry
            audio = await asyncio.to_thread(self.synthesizer.to_ogg, words, SLOWER)
            await self.bot.send_voice(chat_id=chat_id, voice=audio)
        except Exception:
            logger.exception("could not send notice %s as a voice note", notice.key)

    def deliver(self, notice: Notice) -> None:
        chat_id = self._chat_of(notice)
        if chat_id is None:
            return  # sent before
        asyncio.run_coroutine_threadsafe(self._send(chat_id, notice), self.loop).result(self.timeout_s)
        with self.sessions.begin() as session:
            insert_once(session, ChannelDelivery(key=notice.key))
