"""Inline keyboards: the core's buttons, choosing a parent, answering an alert.

Telegram allows 64 bytes of callback data. A core payload that fits is sent as
it is ("c:" + payload) and survives restarts; a longer one is kept here under a
short token ("t:" + token) for the life of the process.
"""
from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Iterable, Optional, Sequence, Tuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.kernel.core_client import Button
from bot.telegram import texts

CALLBACK_LIMIT = 64
KEEP_TOKENS = 10_000


class ButtonBook:
    def __init__(self, size: int = KEEP_TOKENS) -> None:
        self.size = size
        self._payloads: "OrderedDict[str, str]" = OrderedDict()

    def data_for(self, payload: str) -> str:
        direct = "c:" + payload
        if len(direct.encode("utf-8")) <= CALLBACK_LIMIT:
            return direct
        token = secrets.token_hex(6)
        self._payloads[token] = payload
        while len(self._payloads) > self.size:
            self._payloads.popitem(last=False)
        return "t:" + token

    def payload_of(self, data: str) -> Optional[str]:
        """The core payload a button carried; None for a token this process no longer knows."""
        if data.startswith("c:"):
            return data[2:]
        if data.startswith("t:"):
            return self._payloads.get(data[2:])
        return None

    def markup(self, buttons: Sequence[Button]) -> Optional[InlineKeyboardMarkup]:
        if not buttons:
            return None
        return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=self.data_for(b.payload))]
                                     for b in buttons])


def people_markup(action: str, people: Iterable[Tuple[int, str]], current: Optional[int] = None) -> InlineKeyboardMarkup:
    """One button per parent: "parent:3" or "unlink:3"."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(("✓ " if rid == current else "") + name,
                                                       callback_data=f"{action}:{rid}")] for rid, name in people])


def alert_markup(alert_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(texts.ALERT_ON_MY_WAY, callback_data=f"alert:{alert_id}:on_my_way")],
        [InlineKeyboardButton(texts.ALERT_SEND_STAFF, callback_data=f"alert:{alert_id}:send_staff")],
    ])


def reminder_markup(occurrence_id: int) -> InlineKeyboardMarkup:
    """Under "提醒没确认": the relative calls, or asks staff to look in."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(texts.REMINDER_CALLING, callback_data=f"rem:{occurrence_id}:calling")],
        [InlineKeyboardButton(texts.REMINDER_SEND_STAFF, callback_data=f"rem:{occurrence_id}:send_staff")],
    ])
