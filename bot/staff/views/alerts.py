"""Emergency alerts: the banner on every page (polled every 2 s, louder as the ladder climbs), the list, one
alert with its timeline, and the steps: acknowledge, arrive (已到现场), resolve with an outcome."""
from __future__ import annotations

import asyncio
from typing import List, Optional, Set

from sanic import response
from sanic.request import Request
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from actions.db.models import Alert, AlertEscalation, AlertResponse, AlertWord, FamilyLink, FamilyMember, Resident, StaffNotice, StaffUser
from actions.safety.ladder import EVERYONE, RUNG_NAMES, community_phones
from bot.staff.alert_steps import DONE, OUTCOMES, StepForm, refusal, take_step
from bot.staff.app import Console
from bot.staff.localtime import utc_now

BANNER_SHOWS = 3  # the newest few; the rest are a count and a link, so 27 alerts do not fill the screen
RESPONSES = {"on_my_way": "家属在路上", "send_staff": "家属请工作人员上门"}
KINDS = {"fall": "摔倒", "medical": "急病", "fire": "火情", "gas": "燃气", "intruder": "有人闯门", "lost": "走失",
         "self_harm": "轻生念头", "scam": "诈骗", "help": "求助", "check_in": "问候未回答", "inactive": "长时间没动静"}
STATUS = {"open": "未处理", "acknowledged": "处理中", "resolved": "已处理"}


def open_alerts(console: Console) -> List[Alert]:
    """Unresolved alerts: unacknowledged first, the highest rung of the ladder first, then the newest."""
    with console.sessions() as session:
        alerts = list(session.scalars(select(Alert).options(selectinload(Alert.resident))
                                      .where(Alert.status != "resolved").order_by(Alert.id.desc())))
    return sorted(alerts, key=lambda a: (a.status != "open", -(a.escalated or 0) if a.status == "open" else 0))


def _called(console: Console, staff_id: int) -> Set[int]:
    """Alerts whose all-staff call this staff member has not looked at yet."""
    with console.sessions() as session:
        return set(session.scalars(select(StaffNotice.alert_id).where(StaffNotice.staff_id == staff_id,
                                                                      StaffNotice.seen_at.is_(None))))


def _banner(console: Console, staff_id: int) -> dict:
    alerts = open_alerts(console)
    return dict(alerts=alerts[:BANNER_SHOWS], total=len(alerts), more=max(0, len(alerts) - BANNER_SHOWS),
                called=_called(console, staff_id), phones=community_phones(console.settings),
                first_s=console.settings.escalation_s[0], top_s=console.settings.escalation_s[1])


def _alert_page(console: Console, alert_id: int, viewer: Optional[int] = None) -> Optional[dict]:
    """Everything the alert's page shows; the viewer's all-staff call (if any) is marked seen."""
    with console.sessions.begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            return None
        if viewer is not None:
            session.execute(update(StaffNotice).where(StaffNotice.alert_id == alert_id, StaffNotice.staff_id == viewer,
                                                      StaffNotice.seen_at.is_(None))
                            .values(seen_at=utc_now(console.settings)).execution_options(synchronize_session=False))
        resident = session.get(Resident, alert.resident_id) if alert.resident_id else None
        family = list(session.execute(
            select(FamilyMember, FamilyLink.relation).join(FamilyLink, FamilyLink.family_member_id == FamilyMember.id)
            .where(FamilyLink.resident_id == alert.resident_id))) if resident else []
        answers = list(session.execute(
            select(AlertResponse, FamilyMember.name).join(FamilyMember, FamilyMember.id == AlertResponse.family_member_id)
            .where(AlertResponse.alert_id == alert_id).order_by(AlertResponse.id)))
        words = list(session.scalars(select(AlertWord).where(AlertWord.alert_id == alert_id).order_by(AlertWord.id)))
        rungs = list(session.scalars(select(AlertEscalation).where(AlertEscalation.alert_id == alert_id)
                                     .order_by(AlertEscalation.rung)))
        calls = list(session.execute(select(StaffUser.display_name, StaffNotice.seen_at)
                                     .join(StaffUser, StaffUser.id == StaffNotice.staff_id)
                                     .where(StaffNotice.alert_id == alert_id).order_by(StaffUser.id)))
        session.expunge_all()
    return dict(alert=alert, resident=resident, family=family, words=words, kinds=KINDS, outcomes=OUTCOMES,
                statuses=STATUS, rungs=[(rung, RUNG_NAMES.get(rung.rung, "")) for rung in rungs], calls=calls,
                phones=community_phones(console.settings) if alert.escalated >= EVERYONE else [],
                answers=[(RESPONSES.get(a.response, a.response), name, a.created_at) for a, name in answers])


def _form(request: Request) -> StepForm:
    form = request.form or {}
    return StepForm(note=(form.get("note") or "")[:1000], outcome=(form.get("outcome") or "").strip(),
                    follow_up=(form.get("follow_up") or "") in ("1", "on", "yes"))


def _who(by: Optional[str]) -> str:
    """"staff:2 王芳" → "王芳"."""
    return by.split(" ", 1)[1] if by and " " in by else (by or "")


def register(console: Console) -> None:
    app = console.app

    @app.get("/alerts/banner")
    async def alert_banner(request: Request) -> response.HTTPResponse:
        page = await asyncio.to_thread(_banner, console, request.ctx.staff.id)
        return console.render(request, "_banner.html", **page)

    @app.get("/alerts")
    async def alert_list(request: Request) -> response.HTTPResponse:
        def recent() -> list:
            with console.sessions() as session:
                return list(session.scalars(select(Alert).options(selectinload(Alert.resident))
                                            .order_by(Alert.id.desc()).limit(100)))
        return console.render(request, "alerts.html", rows=await asyncio.to_thread(recent), statuses=STATUS)

    @app.get("/alerts/<alert_id:int>")
    async def alert_detail(request: Request, alert_id: int) -> response.HTTPResponse:
        page = await asyncio.to_thread(_alert_page, console, alert_id, request.ctx.staff.id)
        if page is None:
            return console.render(request, "not_found.html", status=404)
        # The one page besides the resident's with the full phone and the words unmasked: always audited.
        await asyncio.to_thread(console.audit, request, "viewed_alert", f"alert:{alert_id}",
                                f"resident:{page['resident'].id}" if page["resident"] is not None else "")
        return console.render(request, "alert.html", message=DONE.get(request.args.get("ok", ""), ""), who=_who,
                              **page)

    @app.post("/alerts/<alert_id:int>/<step:(acknowledge|arrive|resolve)>")
    async def alert_move(request: Request, alert_id: int, step: str) -> response.HTTPResponse:
        staff = request.ctx.staff
        form = _form(request)
        problem = refusal(step, form)
        if problem:
            page = await asyncio.to_thread(_alert_page, console, alert_id)
            if page is None:
                return console.render(request, "not_found.html", status=404)
            return console.render(request, "alert.html", status=400, error=problem, message="", who=_who,
                                  chosen=form, **page)
        done = await asyncio.to_thread(take_step, console, alert_id, step, form, staff.actor, staff.display_name)
        if done == "missing":
            return console.render(request, "not_found.html", status=404)
        return response.redirect(f"/alerts/{alert_id}?ok={done}")
