"""SOS devices on a resident's page: bind one (its token is shown once, only its hash is kept), deactivate one."""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.staff import device_data
from bot.staff import resident_data as data
from bot.staff.app import Console
from bot.staff.views.residents import resident_page


def register(console: Console) -> None:
    app = console.app

    def missing(request: Request) -> response.HTTPResponse:
        return console.render(request, "not_found.html", status=404, reason="没有找到这位居民。")

    @app.post("/residents/<resident_id:int>/devices")
    async def device_add(request: Request, resident_id: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return missing(request)
        values, family = found
        typed, errors = device_data.read_form(request.form)
        token = None
        if not errors:
            try:
                token = await asyncio.to_thread(device_data.add, console, resident_id, typed, request.ctx.staff.actor)
            except device_data.BindRefused as exc:
                errors = [str(exc)]
        if errors:
            return await asyncio.to_thread(resident_page, console, request, values, family, errors, 400,
                                           device_form=typed)
        # The token is in this one answer only (the page is not cached: Cache-Control no-store).
        return await asyncio.to_thread(resident_page, console, request, values, family,
                                       device_token=token, device_added=typed["device_id"])

    @app.post("/residents/<resident_id:int>/devices/<device_pk:int>/deactivate")
    async def device_deactivate(request: Request, resident_id: int, device_pk: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return missing(request)
        stopped = await asyncio.to_thread(device_data.stop, console, resident_id, device_pk, request.ctx.staff.actor)
        if not stopped:
            values, family = found
            return await asyncio.to_thread(resident_page, console, request, values, family,
                                           ["这个设备已经停用了（或者不属于这位居民）。"], 409)
        return response.redirect(f"/residents/{resident_id}?ok=device_deactivated#devices")
