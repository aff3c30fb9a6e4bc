"""Reminders on a resident's page: staff add one or stop one (CSRF, audited)."""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.kernel.clock import local_today
from bot.staff import reminder_data
from bot.staff import resident_data as data
from bot.staff.app import Console
from bot.staff.views.residents import resident_page


def register(console: Console) -> None:
    app = console.app

    @app.post("/residents/<resident_id:int>/reminders")
    async def reminder_add(request: Request, resident_id: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return console.render(request, "not_found.html", status=404, reason="没有找到这位居民。")
        values, problem = reminder_data.read_form(request.form, local_today(console.settings))
        if values is None:
            resident, family = found
            return await asyncio.to_thread(resident_page, console, request, resident, family, [problem], 400)
        await asyncio.to_thread(reminder_data.add, console, resident_id, values, request.ctx.staff.actor)
        return response.redirect(f"/residents/{resident_id}?ok=reminder_saved#reminders")

    @app.post("/residents/<resident_id:int>/reminders/<reminder_id:int>/stop")
    async def reminder_stop(request: Request, resident_id: int, reminder_id: int) -> response.HTTPResponse:
        stopped = await asyncio.to_thread(reminder_data.stop, console, resident_id, reminder_id,
                                          request.ctx.staff.actor)
        if not stopped:
            return console.render(request, "not_found.html", status=404, reason="没有找到这个提醒。")
        return response.redirect(f"/residents/{resident_id}?ok=reminder_stopped#reminders")
