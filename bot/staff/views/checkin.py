"""The daily check-in on a resident's page: staff switch it on or off and choose the time (CSRF, audited)."""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.staff import checkin_data
from bot.staff import resident_data as data
from bot.staff.app import Console
from bot.staff.views.residents import resident_page


def register(console: Console) -> None:
    app = console.app

    @app.post("/residents/<resident_id:int>/checkin")
    async def checkin_set(request: Request, resident_id: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return console.render(request, "not_found.html", status=404, reason="没有找到这位居民。")
        enabled, time = checkin_data.read_form(request.form)
        if time is None:
            values, family = found
            return await asyncio.to_thread(resident_page, console, request, values, family,
                                           ["问候时间请写成 09:00 这样。"], 400)
        await asyncio.to_thread(checkin_data.save, console, resident_id, enabled, time, request.ctx.staff.actor)
        return response.redirect(f"/residents/{resident_id}?ok=checkin_saved#checkin")
