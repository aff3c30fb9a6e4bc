"""The community page: publish activities, send notices (who has not heard them), residents who sound low."""
from __future__ import annotations

import asyncio
from typing import Any, List

from sanic import response
from sanic.request import Request

from bot.kernel.clock import local_now
from bot.staff import community_data as data
from bot.staff.app import Console


def register(console: Console) -> None:
    app = console.app

    def page(request: Request, errors: List[str], status: int = 200, **extra: Any) -> response.HTTPResponse:
        return console.render(request, "community.html", status=status, errors=errors,
                              activities=data.activities(console), notices=data.notices(console),
                              low=data.low_moods(console), ok=request.args.get("ok", ""), **extra)

    @app.get("/community")
    async def community(request: Request) -> response.HTTPResponse:
        return await asyncio.to_thread(page, request, [])

    @app.post("/community/activities")
    async def activity_publish(request: Request) -> response.HTTPResponse:
        new, errors = data.read_activity(request.form or {}, local_now(console.settings))
        if errors or new is None:
            return await asyncio.to_thread(page, request, errors, 400, form=dict(request.form or {}))
        activity_id = await asyncio.to_thread(data.publish, console, new, request.ctx.staff.actor)
        await asyncio.to_thread(console.audit, request, "activity_published", f"activity:{activity_id}",
                                f"{new.title} {new.starts_at:%Y-%m-%d %H:%M} capacity={new.capacity}")
        return response.redirect("/community?ok=activity#activities")

    @app.post("/community/activities/<activity_id:int>/cancel")
    async def activity_call_off(request: Request, activity_id: int) -> response.HTTPResponse:
        told = await asyncio.to_thread(data.call_off, console, activity_id, request.ctx.staff.actor)
        if told is None:
            return await asyncio.to_thread(page, request, ["这个活动已经取消了（或者没有这个活动）。"], 409)
        await asyncio.to_thread(console.audit, request, "activity_called_off", f"activity:{activity_id}",
                                f"signed_up={told}")
        return response.redirect("/community?ok=called_off#activities")

    @app.post("/community/notices")
    async def notice_send(request: Request) -> response.HTTPResponse:
        text, ids, to_family, errors = data.read_notice(request.form or {})
        if errors:
            return await asyncio.to_thread(page, request, errors, 400)
        notice_id = await asyncio.to_thread(data.send_notice, console, text, ids, to_family,
                                            request.ctx.staff.actor)
        await asyncio.to_thread(console.audit, request, "notice_sent", f"notice:{notice_id}",
                                f"to={'all' if ids is None else ids} family={to_family}")
        return response.redirect("/community?ok=notice#notices")
