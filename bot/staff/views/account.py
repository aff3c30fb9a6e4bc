"""Logging in and out, and setting one's own password (required after a one-time password)."""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.staff import auth
from bot.staff.app import COOKIE, LOGIN_CSRF_COOKIE, Console, new_login_csrf, set_session_cookie

DEVICE_COOKIE = "xiaonuan_device"
DEVICE_COOKIE_DAYS = 180


def register(console: Console) -> None:
    app, sessions = console.app, console.sessions
    secure = console.settings.staff_console_secure_cookie

    def login_page(request: Request, error: str = "", status: int = 200) -> response.HTTPResponse:
        # Keep the token a tab already has: a second login page (another tab, a redirect) must not void it.
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
        resp = console.render(request, "login.html", status=status, error=error, login_csrf=token)
        resp.cookies[LOGIN_CSRF_COOKIE] = token
        resp.cookies[LOGIN_CSRF_COOKIE]["httponly"] = True
        resp.cookies[LOGIN_CSRF_COOKIE]["samesite"] = "Strict"
        resp.cookies[LOGIN_CSRF_COOKIE]["path"] = "/login"
        return resp

    @app.get("/login")
    async def login_form(request: Request) -> response.HTTPResponse:
        return login_page(request)

    @app.post("/login")
    async def login(request: Request) -> response.HTTPResponse:
        form = request.form or {}
        sent, expected = form.get("csrf", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not sent or not expected or sent != expected:
            return login_page(request, "页面已过期，请再登录一次。", status=403)
        username = form.get("username", "")
        try:
            token = await asyncio.to_thread(auth.log_in, sessions, username, form.get("password", ""),
                                            source=request.ip or "?", throttle=console.throttle,
                                            device=request.cookies.get(DEVICE_COOKIE))
        except auth.LoginRefused as refused:
            return login_page(request, str(refused), status=401)
        resp = response.redirect("/")
        set_session_cookie(resp, token, secure)
        device = await asyncio.to_thread(auth.device_cookie, sessions, username)
        if device:
            # Only the login page reads it: this browser's logins are its own, apart from others' guesses.
            resp.cookies[DEVICE_COOKIE] = device
            resp.cookies[DEVICE_COOKIE]["httponly"] = True
            resp.cookies[DEVICE_COOKIE]["samesite"] = "Strict"
            resp.cookies[DEVICE_COOKIE]["path"] = "/login"
            resp.cookies[DEVICE_COOKIE]["max-age"] = DEVICE_COOKIE_DAYS * 86400
            if secure:
                resp.cookies[DEVICE_COOKIE]["secure"] = True
        return resp

    @app.post("/logout")
    async def logout(request: Request) -> response.HTTPResponse:
        await asyncio.to_thread(auth.log_out, sessions, request.cookies.get(COOKIE))
        resp = response.redirect("/login")
        del resp.cookies[COOKIE]
        return resp

    @app.get("/password")
    async def password_form(request: Request) -> response.HTTPResponse:
        return console.render(request, "password.html")

    @app.post("/password")
    async def password(request: Request) -> response.HTTPResponse:
        form = request.form
        staff = request.ctx.staff
        new = form.get("password", "")
        problem = auth.password_problem(new, form.get("again", ""), (staff.username, staff.display_name))
        current = await asyncio.to_thread(_current_hash, console, staff.id)
        # A session after a one-time password was made by logging in with it (a reset ends every
        # older session), so it need not type it again; any other change needs the current password.
        if problem is None and not staff.must_change_password and not auth.password_matches(current, form.get("current", "")):
            problem = "现在的密码不对。"
        if problem is None and auth.password_matches(current, new):
            problem = "新密码不能和一次性密码或现在的密码一样。"
        if problem:
            return console.render(request, "password.html", error=problem, status=400)
        await asyncio.to_thread(auth.change_password, sessions, staff.id, new, request.cookies.get(COOKIE))
        return response.redirect("/")

    @app.get("/favicon.ico")
    async def favicon(request: Request) -> response.HTTPResponse:
        return response.empty()

    @app.get("/")
    async def home(request: Request) -> response.HTTPResponse:
        return response.redirect("/today")


def _current_hash(console: Console, staff_id: int) -> str:
    from actions.db.models import StaffUser

    with console.sessions() as session:
        return session.get(StaffUser, staff_id).password_hash or ""
