"""Emergency alerts: the banner on every page (polled every 2 s), the list, one alert, acknowledge, resolve."""
from __future__ import annotations

import asyncio
from typing import List, Optional

from sanic import response
from sanic.request import Request
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from actions.db.models import Alert, AlertResponse, AlertWord, AuditLog, FamilyLink, FamilyMember, Resident
from bot.staff.app import Console
from bot.staff.localtime import to_local, utc_now

BANNER_SHOWS = 3  # the newest few; the rest are a count and a link, so 27 alerts do not fill the screen
RESPONSES = {"on_my_way": "家属在路上", "send_staff": "家属请工作人员上门"}
KINDS = {"fall": "摔倒", "medical": "急病", "fire": "火情", "gas": "燃气", "intruder": "有人闯门", "lost": "走失",
         "self_harm": "轻生念头", "scam": "诈骗", "help": "求助"}
OUTCOMES = {"false_alarm": "误报（本人说没事）"}
NEXT = {"acknowledge": ("open", "acknowledged"), "resolve": (None, "resolved")}


def open_alerts(console: Console) -> List[Alert]:
    with console.sessions() as session:
        return list(session.scalars(select(Alert).options(selectinload(Alert.resident))
                                    .where(Alert.status != "resolved").order_by(Alert.id.desc())))


def _alert_page(console: Console, alert_id: int) -> Optional[dict]:
    with console.sessions() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            return None
        resident = session.get(Resident, alert.resident_id) if alert.resident_id else None
        family = list(session.execute(
            select(FamilyMember, FamilyLink.relation).join(FamilyLink, FamilyLink.family_member_id == FamilyMember.id)
            .where(FamilyLink.resident_id == alert.resident_id))) if resident else []
        answers = list(session.execute(
            select(AlertResponse, FamilyMember.name).join(FamilyMember, FamilyMember.id == AlertResponse.family_member_id)
            .where(AlertResponse.alert_id == alert_id).order_by(AlertResponse.id)))
        words = list(session.scalars(select(AlertWord).where(AlertWord.alert_id == alert_id).order_by(AlertWord.id)))
        session.expunge_all()
        return dict(alert=alert, resident=resident, family=family, words=words, kinds=KINDS, outcomes=OUTCOMES,
                    answers=[(RESPONSES.get(a.response, a.response), name, a.created_at) for a, name in answers])


def _move(console: Console, alert_id: int, step: str, note: str, actor: str, name: str) -> bool:
    needed, to = NEXT[step]
    now = utc_now(console.settings)
    values = {"status": to, f"{'acknowledged' if to == 'acknowledged' else 'resolved'}_at": now}
    local = to_local(console.settings, now)
    with console.sessions.begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.status == "resolved" or (needed and alert.status != needed):
            return False
        line = f"[{local:%m-%d %H:%M} {name}{'确认' if to == 'acknowledged' else '处理完'}] {note.strip()}".strip()
        values["note"] = (alert.note + "\n" + line).strip()
        if to == "acknowledged" or alert.acknowledged_at is None:
            values["acknowledged_by"] = f"{actor} {name}"
        if to == "resolved" and alert.acknowledged_at is None:
            values["acknowledged_at"] = now
        changed = session.execute(update(Alert).where(Alert.id == alert_id, Alert.status == alert.status)
                                  .values(**values)).rowcount
        session.add(AuditLog(actor=actor, action=f"alert_{to}", target=f"alert:{alert_id}", detail=note[:2000]))
        return changed == 1


def register(console: Console) -> None:
    app = console.app

    @app.get("/alerts/banner")
    async def alert_banner(request: Request) -> response.HTTPResponse:
        alerts = await asyncio.to_thread(open_alerts, console)
        return console.render(request, "_banner.html", alerts=alerts[:BANNER_SHOWS], total=len(alerts),
                              more=max(0, len(alerts) - BANNER_SHOWS))

    @app.get("/alerts")
    async def alert_list(request: Request) -> response.HTTPResponse:
        def recent() -> list:
            with console.sessions() as session:
                return list(session.scalars(select(Alert).options(selectinload(Alert.resident))
                                            .order_by(Alert.id.desc()).limit(100)))
        return console.render(request, "alerts.html", rows=await asyncio.to_thread(recent))

    @app.get("/alerts/<alert_id:int>")
    async def alert_detail(request: Request, alert_id: int) -> response.HTTPResponse:
        page = await asyncio.to_thread(_alert_page, console, alert_id)
        if page is None:
            return console.render(request, "not_found.html", status=404)
        # The one page besides the resident's with the full phone and the words unmasked: always audited.
        await asyncio.to_thread(console.audit, request, "viewed_alert", f"alert:{alert_id}",
                                f"resident:{page['resident'].id}" if page["resident"] is not None else "")
        return console.render(request, "alert.html", **page)

    @app.post("/alerts/<alert_id:int>/<step:(acknowledge|resolve)>")
    async def alert_move(request: Request, alert_id: int, step: str) -> response.HTTPResponse:
        staff = request.ctx.staff
        note = (request.form.get("note") or "")[:1000]
        if step == "resolve" and not note.strip():
            page = await asyncio.to_thread(_alert_page, console, alert_id)
            if page is None:
                return console.render(request, "not_found.html", status=404)
            return console.render(request, "alert.html", status=400, error="处理完请写一句说明（怎么处理的）。", **page)
        await asyncio.to_thread(_move, console, alert_id, step, note, staff.actor, staff.display_name)
        return response.redirect(f"/alerts/{alert_id}")
