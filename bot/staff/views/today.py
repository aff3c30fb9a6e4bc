"""Today's work (the console's home page): the kitchen list, home-service visits, call-back requests,
follow-up visits (回访) after alerts.

Visits change only through `actions.services.lifecycle.change_status`, so the
history, the slot count and the notices to resident and family stay in one place.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from itertools import groupby
from typing import Dict, List, Optional, Tuple

from sanic import response
from sanic.request import Request

from actions.db.models import ServiceBooking
from actions.meals.kitchen import format_kitchen_list, kitchen_list
from actions.services.catalogue import load_catalogue
from actions.services.lifecycle import TransitionRefused, change_status
from bot.kernel.clock import local_today
from bot.staff.app import Console
from bot.staff.day_work import VISIT_STATUS, handoffs_open, mark_called_back, visits_on
from bot.staff.followups import follow_ups_due, mark_done

STEPS = {"confirm": "confirmed", "done": "done", "cancel": "cancelled"}
DONE_MESSAGES = {
    "confirm": "已确认派人，居民和家属会收到通知。",
    "done": "已记为做完了。",
    "cancel": "已取消，居民和家属会收到通知。",
    "called_back": "已记为回过电话。",
    "follow_up_done": "已记为回访过了。",
}


def parse_day(console: Console, raw: Optional[str]) -> Tuple[dt.date, str]:
    """The day asked for (local today when none); an unreadable date falls back to today with a message."""
    today = local_today(console.settings)
    if not raw:
        return today, ""
    try:
        return dt.date.fromisoformat(raw.strip()), ""
    except ValueError:
        return today, "日期看不懂，已显示今天。请用日期选择框选一天。"


def _kitchen(console: Console, day: dt.date) -> List[Tuple[str, list]]:
    with console.sessions() as session:
        rows = kitchen_list(session, day)
    return [(canteen, list(meals)) for canteen, meals in groupby(rows, key=lambda row: row.canteen)]


def _page(console: Console, day: dt.date) -> Dict[str, object]:
    catalogue = load_catalogue(console.settings.services_config)
    return dict(day=day, today=local_today(console.settings), kitchen=_kitchen(console, day),
                visits=visits_on(console, catalogue, day), handoffs=handoffs_open(console),
                follow_ups=follow_ups_due(console, day))


def _refusal(console: Console, booking_id: int, to: str) -> str:
    """A polite reason for a refused change, from the booking's state now."""
    with console.sessions() as session:
        booking = session.get(ServiceBooking, booking_id)
        status = booking.status if booking else None
    if status == "cancelled":
        return "这个预约已经取消了，不能再改。"
    if status == "done":
        return "这个预约已经做完了，不能再改。"
    if status == "requested" and to == "done":
        return "这个预约还没有派人，请先确认派人，再记为做完。"
    return "这个预约刚刚被别人改过了，请看一下现在的状态再操作。"


def _change(console: Console, request: Request, booking_id: int, step: str) -> Tuple[int, str]:
    """Apply one step; returns (0, "") when done, else the HTTP status and the message to show."""
    form, staff = request.form, request.ctx.staff
    to = STEPS[step]
    helper = ((form.get("helper_other") or "").strip() or (form.get("helper") or "").strip())[:40]
    reason = (form.get("reason") or "").strip()[:200]
    if to == "confirmed" and not helper:
        return 400, "请选择或填写上门的服务人员。"
    if to == "cancelled" and not reason:
        return 400, "取消请写一句原因，居民和家属会收到。"
    catalogue = load_catalogue(console.settings.services_config)
    try:
        start = change_status(console.sessions, catalogue, booking_id, to, staff.actor,
                              reason=reason, helper=helper if to == "confirmed" else None)
    except TransitionRefused:
        return 409, _refusal(console, booking_id, to)
    detail = f"{VISIT_STATUS[start]} → {VISIT_STATUS[to]}" + (f"，派{helper}" if to == "confirmed" else "")
    console.audit(request, f"service_{to}", f"service_booking:{booking_id}",
                  detail + (f"，原因：{reason}" if reason else ""))
    return 0, ""


def _back(day: dt.date, ok: str, anchor: str = "") -> response.HTTPResponse:
    return response.redirect(f"/today?day={day.isoformat()}&ok={ok}{anchor}")


def register(console: Console) -> None:
    app = console.app

    @app.get("/today")
    async def today_page(request: Request) -> response.HTTPResponse:
        day, error = parse_day(console, request.args.get("day"))
        page = await asyncio.to_thread(_page, console, day)
        return console.render(request, "today.html", error=error,
                              message=DONE_MESSAGES.get(request.args.get("ok", ""), ""), **page)

    @app.get("/today/kitchen.txt")
    async def today_kitchen_text(request: Request) -> response.HTTPResponse:
        day, _ = parse_day(console, request.args.get("day"))

        def text() -> str:
            with console.sessions() as session:
                return format_kitchen_list(day, kitchen_list(session, day))
        return response.text(await asyncio.to_thread(text))

    @app.post("/today/visits/<booking_id:int>/<step:(confirm|done|cancel)>")
    async def today_visit_step(request: Request, booking_id: int, step: str) -> response.HTTPResponse:
        day, _ = parse_day(console, request.form.get("day"))
        exists = await asyncio.to_thread(_exists, console, booking_id)
        if not exists:
            return console.render(request, "not_found.html", status=404, reason="没有找到这个上门服务预约。")
        status, problem = await asyncio.to_thread(_change, console, request, booking_id, step)
        if problem:
            page = await asyncio.to_thread(_page, console, day)
            return console.render(request, "today.html", status=status, error=problem, message="", **page)
        return _back(day, step, f"#visit-{booking_id}")

    @app.post("/today/handoffs/<handoff_id:int>/called-back")
    async def today_handoff_called_back(request: Request, handoff_id: int) -> response.HTTPResponse:
        day, _ = parse_day(console, request.form.get("day"))
        moved = await asyncio.to_thread(mark_called_back, console, handoff_id, request.ctx.staff.actor)
        if not moved:
            page = await asyncio.to_thread(_page, console, day)
            return console.render(request, "today.html", status=409, message="",
                                  error="这条回电请求已经处理过了（或者不存在）。", **page)
        return _back(day, "called_back", "#handoffs")

    @app.post("/today/follow-ups/<visit_id:int>/done")
    async def today_follow_up_done(request: Request, visit_id: int) -> response.HTTPResponse:
        day, _ = parse_day(console, request.form.get("day"))
        note = (request.form.get("note") or "")[:1000]
        if not await asyncio.to_thread(mark_done, console, visit_id, request.ctx.staff.actor, note):
            page = await asyncio.to_thread(_page, console, day)
            return console.render(request, "today.html", status=409, message="",
                                  error="这条回访已经记过了（或者不存在）。", **page)
        return _back(day, "follow_up_done", "#follow-ups")


def _exists(console: Console, booking_id: int) -> bool:
    with console.sessions() as session:
        return session.get(ServiceBooking, booking_id) is not None

