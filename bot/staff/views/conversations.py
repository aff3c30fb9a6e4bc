"""Conversations: the list (filtered, paginated, from the summary table) and one transcript (audited)."""
from __future__ import annotations

import asyncio
import logging

from sanic import response
from sanic.request import Request

from bot.staff.app import Console
from bot.staff.conversation_list import CHANNEL_NAMES, conversation_page, parse_filters
from bot.staff.summaries import refresh_summaries
from bot.staff.transcript import load_transcript

logger = logging.getLogger(__name__)
REFRESH_FAILED = "对话记录暂时没能更新，下面是上次更新的内容。"


async def refresh(console: Console) -> str:
    """Read the new events; a problem is logged and shown, the page still opens."""
    try:
        await asyncio.to_thread(refresh_summaries, console.sessions, timezone=console.settings.timezone)
    except Exception:  # a page that cannot refresh still shows what it has
        logger.exception("could not refresh the conversation summaries")
        return REFRESH_FAILED
    return ""


def register(console: Console) -> None:
    app = console.app
    timezone = console.settings.timezone

    @app.get("/conversations")
    async def conversations(request: Request) -> response.HTTPResponse:
        filters, problems = parse_filters({key: request.args.get(key) for key in request.args})
        warning = await refresh(console)
        rows, more = await asyncio.to_thread(conversation_page, console.sessions, filters, timezone)
        return console.render(request, "conversations.html", rows=rows, more=more, filters=filters,
                              problems=problems, warning=warning, channels=CHANNEL_NAMES)

    @app.get("/conversations/<sender_id:str>", unquote=True)
    async def conversation(request: Request, sender_id: str) -> response.HTTPResponse:
        page = await asyncio.to_thread(load_transcript, console.sessions, sender_id, timezone)
        if page is None:
            return console.render(request, "not_found.html", status=404, reason="没有这段对话的记录。")
        target = f"conversation:{sender_id}"
        await asyncio.to_thread(console.audit, request, "viewed_transcript", target[:80],
                                sender_id if len(target) > 80 else "")
        return console.render(request, "conversation.html", page=page, channels=CHANNEL_NAMES)
