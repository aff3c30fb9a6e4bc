"""/daily: a relative picks the hour of the daily word about the parent they act for, or switches it off."""
from __future__ import annotations

import asyncio
import re
from typing import Optional

from telegram import Update
from telegram.ext import ContextTypes

from actions.daily_word import set_plan

USAGE = ("每天给您发一段老人当天的情况。\n"
         "/daily 20 ：每天晚上8点发（写0到23点）\n/daily off ：不用发了")
ON = "好的，每天{hour}点把{parent}当天的情况发给您。不想收了，发 /daily off。"
OFF = "好的，不再每天发{parent}的情况了。想再收，发 /daily 20。"
NOT_LINKED = "您还没有绑定老人。请先把老人那边的6位绑定码发给我。"
_HOUR = re.compile(r"^(\d{1,2})(点|:00)?$")


def hour_of(word: str) -> Optional[int]:
    """"20", "20点", "20:00" -> 20; anything else (or an hour past 23) -> None."""
    match = _HOUR.match(word.strip())
    if not match:
        return None
    hour = int(match.group(1))
    return hour if 0 <= hour <= 23 else None


async def daily_setting(channel, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:  # type: ignore[no-untyped-def]
    state = await channel._state(update)
    if not state.linked:
        await channel._say(update, NOT_LINKED)
        return
    word = (context.args or [""])[0].lower()
    if word in ("off", "关", "不要"):
        hour = None
    else:
        hour = hour_of(word)
        if hour is None:
            await channel._say(update, USAGE)
            return
    await asyncio.to_thread(set_plan, channel.store.sessions, state.family_member_id, state.active_resident_id, hour)
    if hour is None:
        await channel._say(update, OFF.format(parent=state.active_name))
    else:
        await channel._say(update, ON.format(hour=hour, parent=state.active_name))
