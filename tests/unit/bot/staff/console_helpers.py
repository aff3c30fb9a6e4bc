"""Helpers for staff console tests: a real console on loopback and logged-in HTTP clients."""
from __future__ import annotations

import contextlib
import re
from typing import Any, Dict, Iterator, List, Optional

import requests
from sanic import Sanic
from sqlalchemy import select

from actions.db.models import StaffUser
from bot.kernel.settings import load_settings
from bot.staff import auth
from bot.staff.app import ConsoleServer, build_console

# Sanic rewrites its protocol class in place when a server starts ("touch-up"); a second
# console in the same process then fails to start unless Sanic keeps the original
# methods, which it does in its test mode. Tests start one console per test.
Sanic.test_mode = True

NEW_PASSWORD = "a-long-test-password"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextlib.contextmanager
def running_console(sessions: Any, database_url: str) -> Iterator[ConsoleServer]:
    """The console on a free loopback port, with the settings of the test (frozen clock included)."""
    settings = load_settings().with_overrides(database_url=database_url)
    server = ConsoleServer(build_console(settings, sessions), "127.0.0.1", 0).start()
    try:
        yield server
    finally:
        server.stop()


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf field on the page"
    return found.group(1)


class Client:
    """A logged-in browser: GET pages, POST forms with the session's CSRF token added."""

    def __init__(self, base: str, http: requests.Session, csrf: str) -> None:
        self.base, self.http, self.csrf = base, http, csrf

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, data: Optional[Dict[str, Any]] = None, **kwargs: Any) -> requests.Response:
        return self.http.post(self.base + path, data={**(data or {}), "csrf": self.csrf}, timeout=30, **kwargs)


def log_in(base: str, username: str, password: str) -> requests.Session:
    http = requests.Session()
    page = http.get(base + "/login", timeout=30)
    answer = http.post(base + "/login", data={"username": username, "password": password,
                                               "csrf": csrf_of(page.text)}, timeout=30)
    assert answer.status_code == 200 and "/login" not in answer.url, answer.text
    return http


def admin_client(base: str, sessions: Any) -> Client:
    """The first admin, logged in with the one-time password, which is then replaced (as required)."""
    first = auth.ensure_first_admin(sessions)
    assert first is not None
    http = log_in(base, *first)
    page = http.get(base + "/password", timeout=30)
    csrf = csrf_of(page.text)
    done = http.post(base + "/password", data={"csrf": csrf, "password": NEW_PASSWORD, "again": NEW_PASSWORD},
                     timeout=30)
    assert done.status_code == 200 and done.url.endswith("/today"), done.text
    return Client(base, http, csrf)


def staff_client(base: str, sessions: Any, username: str = "xiaowang", display_name: str = "小王") -> Client:
    """A staff-role account made directly in the database, logged in."""
    with sessions.begin() as session:
        session.add(StaffUser(username=username, display_name=display_name, role="staff",
                              password_hash=auth.hash_password(NEW_PASSWORD), must_change_password=False))
    http = log_in(base, username, NEW_PASSWORD)
    return Client(base, http, csrf_of(http.get(base + "/today", timeout=30).text))


def staff_actor(sessions: Any, username: str) -> str:
    with sessions() as session:
        return f"staff:{session.scalar(select(StaffUser.id).where(StaffUser.username == username))}"


def table_rows(html: str) -> List[List[str]]:
    """Every table row of a page as the texts of its cells (tags removed, spaces trimmed)."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows
