"""The staff console: a Sanic app with server-rendered Jinja2 pages, every page behind login.

`build_console(settings, sessions)` makes the app; `ConsoleServer` runs it on
its own thread and event loop (inside `xiaonuan run`, and in tests).
Views live in `bot/staff/views/`, one module per page group, each with a
`register(console)` that adds its routes.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sqlalchemy.orm import sessionmaker

from actions.db.models import AuditLog
from bot.kernel.settings import Settings
from bot.staff import auth
from bot.staff.masking import mask_id_number, mask_in_text, mask_phone

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "xn_staff"
LOGIN_CSRF_COOKIE = "xn_login_csrf"
PUBLIC_PATHS = ("/login", "/static/", "/favicon.ico")
FRAGMENT_PATHS = ("/alerts/banner",)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "media-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
MAX_ROW_ID = 2**31 - 1  # the largest INTEGER key on PostgreSQL; SQLite's is larger
_names = itertools.count(1)


@dataclass
class Console:
    """What every view needs: settings, the database, the templates, the app."""

    settings: Settings
    sessions: sessionmaker
    templates: Environment
    app: Sanic
    throttle: auth.LoginThrottle = field(default_factory=auth.LoginThrottle)

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> response.HTTPResponse:
        staff = getattr(request.ctx, "staff", None)
        body = self.templates.get_template(template).render(staff=staff, path=request.path, **context)
        return response.html(body, status=status)

    def audit(self, request: Request, action: str, target: str = "", detail: str = "") -> None:
        """Who viewed or changed what: written for every transcript, resident and change."""
        with self.sessions.begin() as session:
            session.add(AuditLog(actor=request.ctx.staff.actor, action=action, target=target, detail=detail[:2000]))

    def forbidden(self, request: Request) -> response.HTTPResponse:
        return self.render(request, "forbidden.html", status=403)


def admin_only(handler: Callable[..., Awaitable[response.HTTPResponse]]) -> Callable[..., Awaitable[response.HTTPResponse]]:
    """Admin pages answer 403 to staff users."""

    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> response.HTTPResponse:
        if not request.ctx.staff.is_admin:
            return request.app.ctx.console.forbidden(request)
        return await handler(request, *args, **kwargs)

    wrapped.__name__ = handler.__name__
    return wrapped


def _templates(settings: Settings) -> Environment:
    from bot.staff.localtime import to_local

    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
    env.filters["phone"] = mask_phone
    env.filters["id_number"] = mask_id_number
    env.filters["masked"] = mask_in_text  # every free text staff read outside the alert's and resident's own page
    # The database keeps UTC; staff read the community's local time.
    env.filters["when"] = lambda value: to_local(settings, value).strftime("%m-%d %H:%M") if value else ""
    return env


def _is_public(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC_PATHS)


def _is_fragment(path: str) -> bool:
    """Parts of a page that its script fetches; they get a status, never a redirect to a whole page."""
    return path in FRAGMENT_PATHS


def _unreadable_form(request: Request) -> bool:
    """A POST body Sanic would fail to parse (it logs a traceback and carries on with no fields).

    The console's forms are URL-encoded UTF-8; none of them uploads files.
    """
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return True
    if kind != "application/x-www-form-urlencoded":
        return False  # not parsed at all: the form is simply empty
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _has_nul(request: Request) -> bool:
    """A NUL character anywhere in the path, query or form: nobody types one, and PostgreSQL cannot store it."""
    sent = f"{request.path}?{request.query_string}".encode() + (request.body or b"")
    return b"%00" in sent or b"\x00" in sent


def _path_ids_ok(request: Request) -> bool:
    """Turn the path's whole-number parts into ints, as the routes declare them (Sanic leaves them as
    text in a route that also has a regex part); False for one no table can hold (the driver would overflow)."""
    route = request.route
    for param in (route.params.values() if route is not None else ()):
        if param.cast is int and param.name in request.match_info:
            try:
                value = int(request.match_info[param.name])
            except ValueError:  # thousands of digits
                return False
            if not -MAX_ROW_ID <= value <= MAX_ROW_ID:
                return False
            request.match_info[param.name] = value
    return True


def _static_missing(path: str) -> bool:
    """A /static/ path that is not one of the console's files (the folder itself gave a 500)."""
    if not path.startswith("/static/"):
        return False
    folder = (HERE / "static").resolve()
    target = (folder / path[len("/static/"):]).resolve()
    return target.parent != folder or not target.is_file()


def build_console(settings: Settings, sessions: sessionmaker) -> Sanic:
    app = Sanic(f"xiaonuan_staff_{next(_names)}")
    app.config.RESPONSE_TIMEOUT = 60
    app.config.MOTD = False  # `xiaonuan run` prints its own line for the console
    console = Console(settings, sessions, _templates(settings), app)
    app.ctx.console = console
    app.static("/static", str(HERE / "static"), name="static")

    @app.middleware("request")
    async def gate(request: Request) -> Optional[response.HTTPResponse]:
        request.ctx.staff = None
        if _static_missing(request.path):
            return response.text("没有这个文件", status=404)
        if request.route is None:  # Sanic's own answer to a request no route took (404, 413 …)
            return None
        if request.method == "POST" and _unreadable_form(request):
            return console.render(request, "forbidden.html", status=400, reason="表单的格式不对，请刷新页面再试。")
        if _has_nul(request):
            return console.render(request, "forbidden.html", status=400, reason="内容里有无法保存的控制字符，请删掉后再试。")
        if _is_public(request.path):
            return None
        staff = await asyncio.to_thread(auth.current_staff, sessions, request.cookies.get(COOKIE))
        fragment = _is_fragment(request.path)
        if staff is None:
            if request.method == "GET" and not request.path.startswith("/api/") and not fragment:
                return response.redirect("/login")
            return response.text("请先登录", status=401)
        request.ctx.staff = staff
        if not _path_ids_ok(request):
            return console.render(request, "not_found.html", status=404)
        if request.method == "POST" and not auth.csrf_ok(staff, request.form.get("csrf") if request.form else None):
            return console.render(request, "forbidden.html", status=403, reason="表单已过期或来源不明（缺少安全令牌），请刷新页面再试。")
        if staff.must_change_password and request.path not in ("/password", "/logout"):
            # A polled fragment must never receive a whole page: the script would paste it into the banner.
            return response.text("请先设置密码", status=403) if fragment else response.redirect("/password")
        return None

    @app.middleware("response")
    async def headers(request: Request, resp: response.HTTPResponse) -> None:
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Cache-Control", "no-store")
        # Only the console's own script and style sheet; no inline script, no framing, no foreign forms.
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        resp.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")

    @app.exception(SanicException)
    async def refused(request: Request, exc: SanicException) -> response.HTTPResponse:
        """A probe Sanic itself refuses (bad range, bad URL …): a status and one log line, no traceback."""
        status = getattr(exc, "status_code", 500) or 500
        if status >= 500:
            logger.error("console: %s on %s", type(exc).__name__, request.path, exc_info=exc)
        else:
            logger.info("console: %s %s on %s", status, type(exc).__name__, request.path)
        return response.text("请求的格式不对" if status < 500 else "出了点问题，请稍后再试", status=status)

    from bot.staff.views import register_all

    register_all(console)
    return app


def set_session_cookie(resp: response.HTTPResponse, token: str, secure: bool) -> None:
    resp.cookies[COOKIE] = token
    resp.cookies[COOKIE]["httponly"] = True
    resp.cookies[COOKIE]["samesite"] = "Strict"
    resp.cookies[COOKIE]["path"] = "/"
    resp.cookies[COOKIE]["max-age"] = int(auth.SESSION_FOR.total_seconds())
    if secure:
        resp.cookies[COOKIE]["secure"] = True


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


class ConsoleServer:
    """The console on its own thread and event loop; `url` once started."""

    def __init__(self, app: Sanic, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server: Any = None
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _serve(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        if not self.port:  # Sanic reads port 0 as "its default, 8000"
            from bot.ops.launcher import free_port

            self.port = free_port(self.host)
        try:
            self._server = loop.run_until_complete(self.app.create_server(
                host=self.host, port=self.port, return_asyncio_server=True, access_log=False))
            loop.run_until_complete(self._server.startup())
            loop.run_until_complete(self._server.after_start())
            sockets = self._server.server.sockets
            self.port = sockets[0].getsockname()[1]
        except BaseException as exc:  # port taken, …: report to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._server.before_stop())
        self._server.close()
        loop.run_until_complete(self._server.wait_closed())
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:  # open keep-alive connections
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(self._server.after_stop())
        loop.close()

    def start(self, timeout_s: float = 30.0) -> "ConsoleServer":
        self._thread = threading.Thread(target=self._serve, name="staff-console", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the staff console did not start")
        if self._error is not None:
            raise OSError(f"the staff console could not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
