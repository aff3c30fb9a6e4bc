"""Residents: the list with search, creating and editing (audited), linked family, family link codes."""
from __future__ import annotations

import asyncio
from typing import Dict, List, Optional

from sanic import response
from sanic.request import Request

from bot.kernel.clock import local_today
from bot.staff import checkin_data, device_data, reminder_data
from bot.staff import resident_data as data
from bot.staff.app import Console
from bot.staff.resident_form import GENDERS, KNOWN_FLAGS, read_form

SAVED = {"created": "已新建居民档案。", "updated": "已保存修改。", "unchanged": "没有改动。",
         "checkin_saved": "已保存每日问候的设置。", "reminder_saved": "已添加提醒。", "reminder_stopped": "提醒已停掉。",
         "device_deactivated": "设备已停用：它再发来的求助不会报警，会在“今天”页的“请回电”里提醒。"}


def resident_page(console: Console, request: Request, values: Dict[str, object],
                  family: Optional[List[data.Relative]] = None, errors: Optional[List[str]] = None,
                  status: int = 200, **extra: object) -> response.HTTPResponse:
    """The resident's page (blocking: call it in a thread); the devices views render it too."""
    chosen = set(str(values.get("flags") or "").split(","))
    extra.setdefault("devices", device_data.devices(console, values.get("id")))  # type: ignore[arg-type]
    extra.setdefault("checkin", checkin_data.view(console, values.get("id")))
    extra.setdefault("reminders", reminder_data.view(console, values.get("id")))
    return console.render(request, "resident.html", status=status, values=values, family=family or [],
                          errors=errors or [], genders=GENDERS, known_flags=KNOWN_FLAGS, chosen=chosen,
                          other_flags=data.other_flags(values), canteens=data.canteens(console),
                          device_kinds=device_data.DEVICE_KINDS, **extra)


def register(console: Console) -> None:
    app = console.app

    def form_page(request: Request, values: Dict[str, object], family: Optional[List[data.Relative]] = None,
                  errors: Optional[List[str]] = None, status: int = 200, **extra: object) -> response.HTTPResponse:
        return resident_page(console, request, values, family, errors, status, **extra)

    @app.get("/residents")
    async def residents_page(request: Request) -> response.HTTPResponse:
        query = (request.args.get("q") or "").strip()[:40]
        rows = await asyncio.to_thread(data.residents_list, console, query, local_today(console.settings))
        return console.render(request, "residents.html", rows=rows, q=query, limit=data.LIST_LIMIT)

    @app.get("/residents/new")
    async def resident_new_form(request: Request) -> response.HTTPResponse:
        return await asyncio.to_thread(form_page, request, {})

    def missing(request: Request) -> response.HTTPResponse:
        return console.render(request, "not_found.html", status=404, reason="没有找到这位居民。")

    @app.post("/residents/new")
    async def resident_create(request: Request) -> response.HTTPResponse:
        names = await asyncio.to_thread(data.canteens, console)
        values, errors = read_form(request.form, names, local_today(console.settings))
        if errors:
            return await asyncio.to_thread(form_page, request, _echo(request, values), None, errors, 400)
        resident_id = await asyncio.to_thread(data.create, console, values, request.ctx.staff.actor)
        return response.redirect(f"/residents/{resident_id}?ok=created")

    @app.get("/residents/<resident_id:int>")
    async def resident_detail(request: Request, resident_id: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return missing(request)
        await asyncio.to_thread(console.audit, request, "viewed_resident", f"resident:{resident_id}")
        values, family = found
        return await asyncio.to_thread(form_page, request, values, family,
                                       message=SAVED.get(request.args.get("ok", ""), ""))

    @app.post("/residents/<resident_id:int>")
    async def resident_edit(request: Request, resident_id: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return missing(request)
        stored, family = found
        names = await asyncio.to_thread(data.canteens, console)
        values, errors = read_form(request.form, names, local_today(console.settings), data.other_flags(stored))
        if errors:
            return await asyncio.to_thread(form_page, request, dict(_echo(request, values), id=resident_id),
                                           family, errors, 400)
        changed = await asyncio.to_thread(data.update, console, resident_id, values, request.ctx.staff.actor)
        return response.redirect(f"/residents/{resident_id}?ok={'updated' if changed else 'unchanged'}")

    @app.post("/residents/<resident_id:int>/link-code")
    async def resident_link_code(request: Request, resident_id: int) -> response.HTTPResponse:
        found = await asyncio.to_thread(data.load, console, resident_id)
        if found is None:
            return missing(request)
        code = await asyncio.to_thread(data.new_link_code, console, resident_id, request.ctx.staff.actor)
        values, family = found
        return await asyncio.to_thread(form_page, request, values, family, link_code=code)


def _echo(request: Request, values: Dict[str, object]) -> Dict[str, object]:
    """What was typed, shown again next to the messages (a bad date stays as typed)."""
    shown = dict(values)
    shown["birth_date"] = (request.form.get("birth_date") or "").strip()
    shown["home_canteen_id"] = values.get("home_canteen_id")
    return shown
