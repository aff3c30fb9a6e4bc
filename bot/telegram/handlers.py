"""The Telegram handlers: a thin adapter between family members' chats and the dialogue core.

Each chat acts for one linked parent at a time; its words go to the core with
metadata naming the family member and that parent, and a conversation per
(chat, parent), so switching parents never mixes two people's bookings.
Unlinked chats talk to the core anonymously (policy questions only: the core
asks them to link first for anything personal).
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any, Callable, Dict, Optional

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from actions import linking
from bot.kernel.contract import ChannelMetadata, clean_text
from bot.kernel.core_client import CoreClient, CoreUnavailable, Turn
from bot.kernel.settings import Settings
from bot.telegram import texts
from bot.telegram.chats import ChatState, ChatStore
from bot.telegram.flood import FloodGuard
from bot.telegram.keyboards import ButtonBook, people_markup
from bot.telegram.voice_notes import MAX_INPUT_BYTES, VoiceNoteError, VoiceNoteRecognizer, VoiceNoteSynthesizer

logger = logging.getLogger(__name__)

TELEGRAM_TEXT_LIMIT = 4000
MAX_UPDATE_ID = 2**63 - 1  # the update-id column is a BIGINT; Telegram's own ids are far smaller
MAX_VOICE_SECONDS = 60
ALERT_ANSWERS = {"on_my_way": texts.ALERT_ACK_ON_MY_WAY, "send_staff": texts.ALERT_ACK_SEND_STAFF}
REMINDER_ANSWERS = {"calling": texts.REMINDER_ACK_CALLING, "send_staff": texts.REMINDER_ACK_SEND_STAFF}


def sender_id(state: ChatState) -> str:
    """One conversation per chat and parent."""
    if state.linked:
        return f"telegram:{state.chat_id}:r{state.active_resident_id}"
    return f"telegram:{state.chat_id}"


def row_id(text: str) -> Optional[int]:
    """The id a button carries: ASCII digits that fit a database key ("²" passes isdigit(), int() refuses it)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def metadata_for(state: ChatState) -> ChannelMetadata:
    if state.linked:
        return ChannelMetadata(channel="telegram", role="family", resident_id=state.active_resident_id,
                               family_member_id=state.family_member_id)
    return ChannelMetadata(channel="telegram", role="anonymous")


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list:
    """Telegram takes at most 4096 characters a message: cut long answers at line ends."""
    parts, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            parts.append(current + line[: limit - len(current)])
            line, current = line[limit - len(current):], ""
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return parts or [""]


class TelegramChannel:
    def __init__(self, settings: Settings, core: CoreClient, store: ChatStore,
                 recognizer: VoiceNoteRecognizer, synthesizer: VoiceNoteSynthesizer) -> None:
        self.settings = settings
        self.core = core
        self.store = store
        self.recognizer = recognizer
        self.synthesizer = synthesizer
        self.buttons = ButtonBook()
        self.flood = FloodGuard(settings.telegram_messages_per_minute)
        self._chat_locks: Dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    # ---- gates (run before every handler) ---------------------------------

    async def once_per_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An update id seen before (a replay) is dropped, and so is one no real update has."""
        if not isinstance(update.update_id, int) or not 0 <= update.update_id <= MAX_UPDATE_ID:
            logger.warning("update id %s is out of range; dropped", update.update_id)
            raise ApplicationHandlerStop
        if not await asyncio.to_thread(self.store.first_time, update.update_id):
            logger.info("update %s was handled before; dropped", update.update_id)
            raise ApplicationHandlerStop

    async def flood_gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        allowed, warn = self.flood.check(str(chat.id))
        if allowed:
            return
        if warn:
            await context.bot.send_message(chat.id, texts.TOO_FAST)
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    # ---- commands -----------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        code = linking.looks_like_code(" ".join(context.args or []))
        if code is not None:  # t.me/<bot>?start=123456
            await self._redeem(update, code)
            return
        state = await self._state(update)
        if state.linked:
            await self._say(update, texts.WELCOME_LINKED.format(name=state.family_name, parent=state.active_name))
        else:
            await self._say(update, texts.WELCOME_UNLINKED)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, texts.HELP)

    async def parent(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        state = await self._state(update)
        if not state.linked:
            await self._say(update, texts.PARENT_NONE)
            return
        await update.effective_message.reply_text(
            texts.PARENT_CHOOSE.format(parent=state.active_name),
            reply_markup=people_markup("parent", state.parents, state.active_resident_id))

    async def unlink(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        state = await self._state(update)
        if not state.linked:
            await self._say(update, texts.PARENT_NONE)
            return
        await update.effective_message.reply_text(texts.UNLINK_CHOOSE,
                                                  reply_markup=people_markup("unlink", state.parents))

    async def voice_setting(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        choice = (context.args or [""])[0].lower()
        if choice not in ("on", "off", "开", "关"):
            await self._say(update, texts.VOICE_USAGE)
            return
        on = choice in ("on", "开")
        await asyncio.to_thread(self.store.set_voice, self._chat_id(update), on)
        await self._say(update, texts.VOICE_ON if on else texts.VOICE_OFF)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, texts.UNKNOWN_COMMAND)

    # ---- messages -----------------------------------------------------------

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        words = update.effective_message.text or ""
        code = linking.looks_like_code(words)
        if code is not None:
            await self._redeem(update, code)
            return
        if len(words) > self.settings.max_message_chars:
            await self._say(update, texts.TOO_LONG.format(limit=self.settings.max_message_chars))
            return
        await self._converse(update, context, words)

    async def voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        note = update.effective_message.voice or update.effective_message.audio
        if not self.recognizer.available:
            await self._say(update, texts.VOICE_NEEDS_MODEL)
            return
        if (note.duration or 0) > MAX_VOICE_SECONDS:
            await self._say(update, texts.VOICE_TOO_LONG)
            return
        if (note.file_size or 0) > MAX_INPUT_BYTES:  # the Bot API hands bots no bigger file
            await self._say(update, texts.VOICE_TOO_LONG)
            return
        await update.effective_chat.send_action(ChatAction.TYPING)
        try:
            data = bytes(await (await note.get_file()).download_as_bytearray())
        except TelegramError as exc:
            logger.warning("could not download a voice note for chat %s: %s", update.effective_chat.id, exc)
            await self._say(update, VoiceNoteError("undecodable").message)
            return
        try:
            heard = await asyncio.to_thread(self.recognizer.transcribe, data)
        except VoiceNoteError as exc:
            await self._say(update, exc.message)
            return
        await self._say(update, texts.VOICE_HEARD.format(text=heard))
        await self._converse(update, context, heard)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, texts.EDITED)

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.UNSUPPORTED)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        data = query.data or ""
        await query.answer()
        if update.effective_chat is None:  # a button under an inline-mode message: no chat to answer in
            return
        kind, _, rest = data.partition(":")
        if kind in ("parent", "unlink", "alert", "rem"):
            await self._own_button(update, kind, rest)
            return
        payload = self.buttons.payload_of(data)
        if payload is None:
            await self._say(update, texts.BUTTON_EXPIRED)
            return
        await self._drop_keyboard(update)
        await self._converse(update, context, payload)

    # ---- pieces -------------------------------------------------------------

    @staticmethod
    def _chat_id(update: Update) -> str:
        return str(update.effective_chat.id)

    async def _state(self, update: Update) -> ChatState:
        return await asyncio.to_thread(self.store.state, self._chat_id(update))

    async def _say(self, update: Update, text: str, **kwargs: Any) -> None:
        await update.get_bot().send_message(update.effective_chat.id, text, **kwargs)

    async def _drop_keyboard(self, update: Update) -> None:
        """A pressed keyboard disappears, so an old button is not pressed twice by accident."""
        try:
            await update.callback_query.edit_message_reply_markup(reply_markup=None)
        except TelegramError:
            pass  # the message may be too old to edit; nothing is lost

    async def _redeem(self, update: Update, code: str) -> None:
        user = update.effective_user
        name = clean_text(user.full_name if user else "") or "家属"  # Telegram names may hold NUL or lone surrogates
        result = await asyncio.to_thread(self.store.redeem, self._chat_id(update), code, name)
        messages: Dict[str, Callable[[], str]] = {
            linking.OK: lambda: texts.LINK_OK.format(parent=result.resident_name),
            linking.ALREADY: lambda: texts.LINK_ALREADY.format(parent=result.resident_name),
            linking.WRONG: lambda: texts.LINK_WRONG.format(left=result.tries_left),
            linking.EXPIRED: lambda: texts.LINK_EXPIRED.format(left=result.tries_left),
            linking.USED: lambda: texts.LINK_USED.format(left=result.tries_left),
            linking.TOO_MANY: lambda: texts.LINK_TOO_MANY.format(phone=self.settings.community_phone),
        }
        await self._say(update, messages[result.status]())

    async def _own_button(self, update: Update, kind: str, rest: str) -> None:
        chat_id = self._chat_id(update)
        if kind == "alert":
            alert, _, answer = rest.partition(":")
            alert_id = row_id(alert)
            if alert_id is None or answer not in ALERT_ANSWERS:
                await self._say(update, texts.BUTTON_EXPIRED)
                return
            if not await asyncio.to_thread(self.store.answer_alert, chat_id, alert_id, answer):
                await self._say(update, texts.ALERT_NOT_YOURS)
                return
            await self._drop_keyboard(update)
            await self._say(update, ALERT_ANSWERS[answer].format(phone=self.settings.community_phone))
            return
        if kind == "rem":
            await self._reminder_button(update, chat_id, rest)
            return
        resident_id = row_id(rest)
        if resident_id is None:
            await self._say(update, texts.BUTTON_EXPIRED)
            return
        before = await self._state(update)
        name = next((n for rid, n in before.parents if rid == resident_id), "")
        if kind == "parent":
            ok = await asyncio.to_thread(self.store.choose_parent, chat_id, resident_id)
            reply = texts.PARENT_NOW.format(parent=name) if ok else texts.PARENT_NOT_LINKED
        else:
            ok = await asyncio.to_thread(self.store.unlink, chat_id, resident_id)
            after = await self._state(update)
            reply = texts.PARENT_NOT_LINKED if not ok else (
                texts.UNLINK_DONE_NEXT.format(parent=name, next=after.active_name) if after.linked
                else texts.UNLINK_DONE.format(parent=name))
        if ok:
            await self._drop_keyboard(update)
        await self._say(update, reply)

    async def _reminder_button(self, update: Update, chat_id: str, rest: str) -> None:
        occurrence, _, answer = rest.partition(":")
        occurrence_id = row_id(occurrence)
        if occurrence_id is None or answer not in REMINDER_ANSWERS:
            await self._say(update, texts.BUTTON_EXPIRED)
            return
        if not await asyncio.to_thread(self.store.answer_reminder, chat_id, occurrence_id, answer):
            await self._say(update, texts.REMINDER_NOT_YOURS)
            return
        await self._drop_keyboard(update)
        await self._say(update, REMINDER_ANSWERS[answer].format(phone=self.settings.community_phone))

    async def _converse(self, update: Update, context: ContextTypes.DEFAULT_TYPE, words: str) -> None:
        chat_id = self._chat_id(update)
        async with self._chat_locks[chat_id]:  # one turn at a time per chat, answers in order
            # "我妈…" with a mother and a father linked: that parent's conversation, before the core hears it.
            state = await asyncio.to_thread(self.store.state_for_words, chat_id, words)
            await update.effective_chat.send_action(ChatAction.TYPING)
            try:
                turn = await asyncio.to_thread(self.core.send, sender_id(state), words, metadata_for(state),
                                               f"telegram-{update.update_id}")
            except CoreUnavailable as exc:
                logger.warning("core unavailable for chat %s: %s", chat_id, exc)
                await self._say(update, texts.CORE_DOWN.format(phone=self.settings.community_phone))
                return
            await self._answer(update, turn, state)

    async def _answer(self, update: Update, turn: Turn, state: ChatState) -> None:
        replies = [r for r in turn.replies if r.text or r.buttons] or None
        if replies is None:
            await self._say(update, texts.EMPTY_ANSWER)
            return
        for reply in replies:
            parts = split_text(reply.text or "请选择：")
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await self._say(update, part, reply_markup=self.buttons.markup(reply.buttons) if last else None)
        if state.voice_replies and turn.text.strip():
            await self._send_voice(update, turn.text, turn.speech.rate_factor if turn.speech else 1.0)

    async def _send_voice(self, update: Update, text: str, rate_factor: float) -> None:
        try:
            audio = await asyncio.to_thread(self.synthesizer.to_ogg, text, rate_factor)
        except Exception:  # the text already arrived; a voice failure must not hide it
            logger.exception("voice reply failed for chat %s", update.effective_chat.id)
            return
        await update.get_bot().send_voice(update.effective_chat.id, voice=audio)
