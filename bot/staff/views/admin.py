"""Admin only: staff accounts (create with a one-time password, unlock, reset) and the audit log."""
from __future__ import annotations

import asyncio
from typing import List, Optional

from sanic import response
from sanic.request import Request
from sqlalchemy import select

from actions.db.models import AuditLog, StaffUser
from bot.staff import auth
from bot.staff.app import Console, admin_only


def _accounts(console: Console) -> List[StaffUser]:
    with console.sessions() as session:
        return list(session.scalars(select(StaffUser).order_by(StaffUser.id)))


def _audit_rows(console: Console, limit: int = 200) -> List[AuditLog]:
    with console.sessions() as session:
        return list(session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)))


def _create(console: Console, username: str, display_name: str, role: str, by: str) -> str:
    with console.sessions.begin() as session:
        return auth.create_staff(session, username, display_name, role, by)


def _reset(console: Console, staff_id: int, by: str) -> Optional[str]:
    """Unlock and give a new one-time password; None for an unknown account."""
    with console.sessions.begin() as session:
        user = session.get(StaffUser, staff_id)
        if user is None:
            return None
        password = auth.one_time_password()
        user.password_hash = auth.hash_password(password)
        user.must_change_password = True
        user.failed_logins = 0
        user.locked_until = None
        ended = auth.end_sessions(session, staff_id)  # the old sessions must not set the next password
        session.add(AuditLog(actor=by, action="staff_password_reset", target=f"staff:{staff_id}",
                             detail=f"sessions ended: {ended}"))
        console.throttle.clear(user.username)
        return password


def register(console: Console) -> None:
    app = console.app

    @app.get("/admin/staff")
    @admin_only
    async def staff_accounts(request: Request) -> response.HTTPResponse:
        return console.render(request, "admin_staff.html", accounts=await asyncio.to_thread(_accounts, console))

    @app.post("/admin/staff")
    @admin_only
    async def staff_create(request: Request) -> response.HTTPResponse:
        form = request.form
        try:
            password = await asyncio.to_thread(_create, console, form.get("username", ""), form.get("display_name", ""),
                                               form.get("role", "staff"), request.ctx.staff.actor)
        except ValueError as exc:
            return console.render(request, "admin_staff.html", status=400, error=str(exc),
                                  accounts=await asyncio.to_thread(_accounts, console))
        return console.render(request, "admin_staff.html", accounts=await asyncio.to_thread(_accounts, console),
                              created=(form.get("username", "").strip(), password))

    @app.post("/admin/staff/<staff_id:int>/reset")
    @admin_only
    async def staff_reset(request: Request, staff_id: int) -> response.HTTPResponse:
        password = await asyncio.to_thread(_reset, console, staff_id, request.ctx.staff.actor)
        if password is None:
            return console.render(request, "not_found.html", status=404)
        accounts_now = await asyncio.to_thread(_accounts, console)
        name = next(a.username for a in accounts_now if a.id == staff_id)
        return console.render(request, "admin_staff.html", accounts=accounts_now, created=(name, password))

    @app.get("/admin/audit")
    @admin_only
    async def audit_log(request: Request) -> response.HTTPResponse:
        return console.render(request, "admin_audit.html", rows=await asyncio.to_thread(_audit_rows, console))
