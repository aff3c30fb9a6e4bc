"""Bad input at the staff console's doors, fuzzed: every form, every query string, garbage bodies.

One real console (Sanic on loopback) on a seeded demo district serves the whole module,
with a logged-in admin and a logged-in staff user. For every example: no 5xx, nothing
logged at ERROR, and a refused request (4xx) writes no row in any table.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlencode

import pytest
import requests
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from actions.db.models import Alert, HandoffRequest, NotUnderstoodTurn, StaffUser
from actions.services.booking import ServiceRequest, book_service
from actions.services.catalogue import load_catalogue
from actions.services.slots import ServiceChoice
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import NOW, TODAY
from tests.fuzz.rows import grown, row_counts
from tests.unit.bot.staff.console_helpers import Client, admin_client, csrf_of, running_console, staff_client
from tests.unit.bot.staff.test_conversations import Core, district

# Every test twice: on SQLite and on PostgreSQL, which refuses what SQLite lets through (NUL, ids over 2**31).
pytestmark = pytest.mark.parametrize("fuzz_database", ["sqlite", "postgresql"], indirect=True, scope="module")


def fuzz(examples: int) -> settings:
    """The examples a test tries; each one is a real HTTP request (see Fuzzing in docs/security.md)."""
    return settings(max_examples=examples, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------- strategies

NASTY = [
    "", " ", "\t\n", "0", "-1", "+1", "1.5", "1e9", "NaN", "null", "true", "[]", "{}",
    "9" * 25, "-" + "9" * 25, "²", "١٢٣", "１２３", "٣", "Ⅻ",
    "9999-12-31", "0001-01-01", "2026-02-30", "2026-11-23T08:00", "2026-1-1", "11月24日",
    "'; DROP TABLE residents; --", "<script>alert(1)</script>", "{{ 7*7 }}", "%00", "%zz", "&amp;",
    "\x01", "\x1b[31m", "\u202e", "\ufeff", "\u2028", "😀👍", "张桂英", "admin", "staff",
    "a" * 5000, "好" * 3000,
]
ROW_IDS = ["1", "2", "3", "0", "-1", "999999", "9" * 19, "9" * 40, "1.5", "abc", "%E4%BD%A0", "1%00", "²"]

# NUL has a test of its own (refused everywhere); other control characters are fair game.
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200)
value = st.one_of(st.sampled_from(NASTY), text, st.integers().map(str),
                  st.dates().map(dt.date.isoformat))
row_id = st.one_of(st.sampled_from(ROW_IDS), st.integers(min_value=-3, max_value=12).map(str),
                   st.integers(min_value=2 ** 62).map(str))


def form_of(*names: str, lists: Sequence[str] = ()) -> st.SearchStrategy[List[Tuple[str, str]]]:
    """Form fields, each present or not, with odd values; `lists` fields may repeat."""
    singles = st.fixed_dictionaries({}, optional={name: value for name in names}).map(lambda d: list(d.items()))
    repeated = st.lists(st.tuples(st.sampled_from(list(lists) or ["x"]), value), max_size=4) if lists else st.just([])
    return st.builds(lambda a, b: a + b, singles, repeated)


# ---------------------------------------------------------------- the console


@pytest.fixture(scope="module")
def console(fuzz_database) -> Iterator[Any]:
    url, sessions = fuzz_database
    # Something for every form to act on: conversations with misunderstood turns, an alert,
    # a call-back request and a home visit waiting for a helper.
    district(Core(url))
    with sessions.begin() as session:
        session.add(Alert(resident_id=1, sender_id="kiosk-1", channel="kiosk", location="张家客厅", text="我摔倒了"))
        session.add(HandoffRequest(resident_id=2, sender_id="kiosk-2", channel="kiosk", reason="asked",
                                   last_text="我想找个人说说话"))
    catalogue = load_catalogue(PROJECT_ROOT / "data" / "services.yml")
    choice = ServiceChoice("bathing", TODAY + dt.timedelta(days=1), "上午")
    assert book_service(sessions, catalogue, ServiceRequest(1, choice, "resident:1", "fuzz"), NOW).ok
    with running_console(sessions, url) as server:
        yield server


@pytest.fixture(scope="module")
def admin(console, fuzz_database) -> Client:
    client = admin_client(console.url, fuzz_database[1])
    client.get("/conversations")  # reads the seeded events into the summaries and the not-understood queue
    return client


@pytest.fixture(scope="module")
def worker(console, fuzz_database) -> Client:
    return staff_client(console.url, fuzz_database[1])


class Door:
    """Sends one request and checks the console's promises about it."""

    def __init__(self, sessions: Any, errors: Any) -> None:
        self.sessions = sessions
        self.errors = errors

    def post(self, client: Union[Client, requests.Session], base: str, path: str,
             fields: Optional[List[Tuple[str, str]]] = None, *, csrf: Optional[str] = None,
             body: Optional[bytes] = None, content_type: Optional[str] = None,
             may_write_when_refused: Sequence[str] = ()) -> requests.Response:
        http = client.http if isinstance(client, Client) else client
        before = row_counts(self.sessions)
        headers = {"Content-Type": content_type} if content_type is not None else {}
        if body is None:
            data: Any = list(fields or []) + ([("csrf", csrf)] if csrf is not None else [])
            answer = http.post(base + path, data=data, headers=headers, timeout=30, allow_redirects=False)
        else:
            answer = http.post(base + path, data=body, headers=headers, timeout=30, allow_redirects=False)
        after = row_counts(self.sessions)
        self.check(answer)
        if answer.status_code >= 400:
            written = {table: n for table, n in grown(before, after).items() if table not in may_write_when_refused}
            assert not written, f"refused with {answer.status_code} but wrote rows: {written}"
        return answer

    def get(self, client: Client, path: str) -> requests.Response:
        answer = client.http.get(client.base + path, timeout=30, allow_redirects=False)
        self.check(answer)
        return answer

    def check(self, answer: requests.Response) -> None:
        logged = self.errors.take()
        assert answer.status_code < 500, f"{answer.request.method} {answer.request.url} → {answer.status_code}"
        assert not logged, f"the console logged: {logged}"


@pytest.fixture(scope="module")
def door(fuzz_database, logged_errors) -> Door:
    logged_errors.take()
    return Door(fuzz_database[1], logged_errors)


def _path(template: str, *parts: str) -> str:
    return template.format(*(quote(part, safe="") for part in parts))


# ---------------------------------------------------------------- logging in


@fuzz(60)
@given(form=form_of("username", "password"), csrf=st.one_of(st.none(), st.just("right"), value))
def test_login_form(console, door, fuzz_database, form, csrf) -> None:
    anonymous = requests.Session()
    page = anonymous.get(console.url + "/login", timeout=30)
    sent = csrf_of(page.text) if csrf == "right" else csrf
    sessions_before = row_counts(fuzz_database[1])["staff_sessions"]
    # A refused login writes its audit row (login_failed, locked_out), nothing else.
    answer = door.post(anonymous, console.url, "/login", form, csrf=sent, may_write_when_refused=["audit_log"])
    assert answer.status_code in (401, 403), answer.status_code
    assert ("页面已过期" if answer.status_code == 403 else "用户名或密码不对") in answer.text or "锁定" in answer.text
    assert row_counts(fuzz_database[1])["staff_sessions"] == sessions_before


@fuzz(40)
@given(form=form_of("password", "again", "current"))
def test_password_form(admin, door, fuzz_database, form) -> None:
    def stored() -> str:
        with fuzz_database[1]() as session:
            return session.scalar(select(StaffUser.password_hash).where(StaffUser.username == "admin"))

    before = stored()
    answer = door.post(admin, admin.base, "/password", form, csrf=admin.csrf)
    # The fuzzer never types the admin's current password, so every change is refused.
    assert answer.status_code == 400 and "密码" in answer.text
    assert stored() == before


# ---------------------------------------------------------------- garbage bodies at every form

POSTS = [
    "/login", "/logout", "/password", "/residents/new", "/residents/1", "/residents/1/link-code",
    "/today/visits/1/confirm", "/today/visits/1/done", "/today/visits/1/cancel", "/today/handoffs/1/called-back",
    "/not-understood/1", "/not-understood/export", "/admin/staff", "/admin/staff/1/reset",
    "/alerts/1/acknowledge", "/alerts/1/arrive", "/alerts/1/resolve", "/today/follow-ups/1/done", "/residents/1/devices",
    "/residents/1/devices/1/deactivate",
]
CONTENT_TYPES = [
    None, "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=gbk",
    "multipart/form-data", "multipart/form-data; boundary=b", "multipart/form-data; boundary=",
    "application/json", "text/plain", "text/html; charset=utf-8", "image/png", "x/\x7f", ";;;", "",
]


@st.composite
def garbage(draw: Any) -> bytes:
    kind = draw(st.sampled_from(["bytes", "urlencoded", "multipart", "huge"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2000))
    if kind == "urlencoded":
        pieces = draw(st.lists(st.tuples(st.binary(max_size=20), st.binary(max_size=40)), max_size=6))
        return b"&".join(k + b"=" + v for k, v in pieces)
    if kind == "multipart":
        part = draw(st.binary(max_size=200))
        header = draw(st.sampled_from([b'Content-Disposition: form-data; name="csrf"',
                                       b"Content-Disposition: form-data", b"no colon here", b"", b"\xff\xfe:"]))
        return b"--b\r\n" + header + b"\r\n\r\n" + part + b"\r\n--b--\r\n"
    return b"note=" + b"a" * draw(st.integers(min_value=100_000, max_value=2_000_000))


@fuzz(120)
@given(path=st.sampled_from(POSTS), body=garbage(), content_type=st.sampled_from(CONTENT_TYPES))
@example(path="/alerts/1/acknowledge", body=b"--b\r\nno colon here\r\n\r\nx\r\n--b--\r\n",
         content_type="multipart/form-data; boundary=b")
@example(path="/login", body=b"csrf=\xff", content_type="application/x-www-form-urlencoded")
@example(path="/today/handoffs/1/called-back", body=b"a=b", content_type="multipart/form-data")
def test_garbage_bodies_at_every_form(admin, door, path, body, content_type) -> None:
    answer = door.post(admin, admin.base, path, body=body, content_type=content_type)
    assert answer.status_code in (400, 401, 403, 404, 413, 415), answer.status_code


# ---------------------------------------------------------------- the forms, field by field

@fuzz(60)
@given(target=row_id, form=form_of("device_id", "label", "kind", "heartbeat"), device=row_id)
@example(target="1", form=[("device_id", "BTN-1"), ("label", "\x1b[31m")], device="1")
@example(target="1", form=[("device_id", "BTN-1"), ("heartbeat", "١٢٣")], device="1")
def test_device_forms(admin, door, target, form, device) -> None:
    answer = door.post(admin, admin.base, _path("/residents/{}/devices", target), form, csrf=admin.csrf)
    assert answer.status_code in (200, 400, 403, 404), answer.status_code
    if answer.status_code == 400:
        assert "请" in answer.text or "最多" in answer.text
    stop = door.post(admin, admin.base, _path("/residents/{}/devices/{}/deactivate", target, device), [],
                     csrf=admin.csrf)
    assert stop.status_code in (302, 400, 403, 404, 409), stop.status_code


RESIDENT_FIELDS = ("name", "gender", "birth_date", "phone", "address", "id_number", "home_canteen_id",
                   "dietary_notes")


@fuzz(80)
@given(target=st.one_of(st.just("new"), row_id), form=form_of(*RESIDENT_FIELDS, lists=["flags"]))
@example(target="new", form=[("name", "张三"), ("birth_date", "1940-01-01"), ("home_canteen_id", "²")])
@example(target="1", form=[("name", "张三"), ("birth_date", "1940-01-01"), ("id_number", "²" * 18)])
@example(target="new", form=[("name", "张三"), ("birth_date", "0001-01-01")])
def test_resident_forms(admin, door, target, form) -> None:
    path = "/residents/new" if target == "new" else _path("/residents/{}", target)
    answer = door.post(admin, admin.base, path, form, csrf=admin.csrf)
    assert answer.status_code in (302, 400, 403, 404, 405), answer.status_code
    if answer.status_code == 400:
        assert "请" in answer.text or "不对" in answer.text or "太长" in answer.text


@fuzz(40)
@given(target=row_id)
@example(target="9" * 40)
def test_link_code_form(admin, door, target) -> None:
    answer = door.post(admin, admin.base, _path("/residents/{}/link-code", target), [], csrf=admin.csrf)
    assert answer.status_code in (200, 403, 404, 405), answer.status_code


@fuzz(80)
@given(target=row_id, step=st.sampled_from(["confirm", "done", "cancel", "delete", ""]),
       form=form_of("helper", "helper_other", "reason", "day"))
@example(target="9" * 40, step="confirm", form=[("helper", "赵护工")])
@example(target="1", step="done", form=[("day", "9999-12-31")])
def test_visit_forms(admin, door, target, step, form) -> None:
    answer = door.post(admin, admin.base, _path("/today/visits/{}/", target) + step, form, csrf=admin.csrf)
    assert answer.status_code in (302, 400, 403, 404, 405, 409), answer.status_code


@fuzz(30)
@given(target=row_id, form=form_of("day"))
def test_call_back_form(admin, door, target, form) -> None:
    answer = door.post(admin, admin.base, _path("/today/handoffs/{}/called-back", target), form, csrf=admin.csrf)
    assert answer.status_code in (302, 403, 404, 405, 409), answer.status_code


@fuzz(30)
@given(target=row_id, form=form_of("day", "note"))
def test_follow_up_form(admin, door, target, form) -> None:
    answer = door.post(admin, admin.base, _path("/today/follow-ups/{}/done", target), form, csrf=admin.csrf)
    assert answer.status_code in (302, 403, 404, 405, 409), answer.status_code


@fuzz(60)
@given(target=row_id, step=st.sampled_from(["acknowledge", "arrive", "resolve", "close"]),
       form=form_of("note", "outcome", "follow_up"))
@example(target="9" * 40, step="acknowledge", form=[])
def test_alert_forms(admin, door, target, step, form) -> None:
    answer = door.post(admin, admin.base, _path("/alerts/{}/", target) + step, form, csrf=admin.csrf)
    assert answer.status_code in (302, 400, 403, 404, 405), answer.status_code
    if answer.status_code == 400:
        assert "处理完请写一句说明" in answer.text or "请选择处理结果" in answer.text


@fuzz(60)
@given(page=st.one_of(st.none(), value), form=form_of("do", "intent"), data=st.data())
def test_not_understood_forms(admin, door, fuzz_database, page, form, data) -> None:
    with fuzz_database[1]() as session:
        queued = [str(event_id) for event_id in session.scalars(select(NotUnderstoodTurn.event_id))]
    target = data.draw(st.one_of(st.sampled_from(queued + ["export"]), row_id), label="target")
    query = "" if page is None else "?" + urlencode({"page": page})
    answer = door.post(admin, admin.base, _path("/not-understood/{}", target) + query, form, csrf=admin.csrf)
    assert answer.status_code in (200, 302, 400, 403, 404, 405, 409), answer.status_code


@fuzz(40)
@given(form=form_of("username", "display_name", "role"), as_staff=st.booleans())
def test_staff_account_forms(admin, worker, door, form, as_staff) -> None:
    client = worker if as_staff else admin
    answer = door.post(client, client.base, "/admin/staff", form, csrf=client.csrf)
    if as_staff:
        assert answer.status_code == 403
    else:
        assert answer.status_code in (200, 400), answer.status_code


@fuzz(30)
@given(target=row_id, as_staff=st.booleans())
def test_staff_reset_form(admin, worker, door, target, as_staff) -> None:
    assume(target.lstrip("0") not in ("1", "2"))  # the fuzzing admin and staff user keep their passwords
    client = worker if as_staff else admin
    answer = door.post(client, client.base, _path("/admin/staff/{}/reset", target), [], csrf=client.csrf)
    assert answer.status_code in ((403, 404, 405) if as_staff else (200, 403, 404, 405)), answer.status_code


@fuzz(40)
@given(path=st.sampled_from(POSTS[1:]), csrf=st.one_of(st.none(), value), fields=form_of("note", "reason", "name"))
@example(path="/logout", csrf="²", fields=[])
def test_forms_without_the_right_csrf_token_are_refused(admin, door, path, csrf, fields) -> None:
    answer = door.post(admin, admin.base, path, fields, csrf=csrf)
    assert answer.status_code == 403, answer.status_code
    assert "安全令牌" in answer.text or "表单" in answer.text


# ---------------------------------------------------------------- query strings and paths

PAGES = {
    "/today": ("day", "ok"),
    "/today/kitchen.txt": ("day",),
    "/residents": ("q",),
    "/residents/new": (),
    "/conversations": ("day", "channel", "resident", "missed", "page"),
    "/not-understood": ("page", "done"),
    "/alerts": (),
    "/alerts/banner": (),
    "/numbers": (),
    "/admin/staff": (),
    "/admin/audit": (),
}


@st.composite
def query_string(draw: Any, names: Sequence[str]) -> str:
    pairs = draw(st.lists(st.tuples(st.sampled_from(list(names) + ["x", "page"]), value), max_size=5))
    raw = draw(st.sampled_from(["", "", "&%zz=%ff", "&=&&=", "&day=%0", "&page=%E4"]))
    return urlencode(pairs) + raw


@fuzz(120)
@given(page=st.sampled_from(sorted(PAGES)), data=st.data())
@example(page="/conversations", data="day=9999-12-31")
@example(page="/conversations", data="day=0001-01-01")
@example(page="/today", data="day=9999-12-31")
@example(page="/today/kitchen.txt", data="day=0001-01-01")
def test_query_strings(admin, door, page, data) -> None:
    query = data if isinstance(data, str) else data.draw(query_string(PAGES[page]))
    answer = door.get(admin, f"{page}?{query}")
    # Sanic refuses a request head over 8 KB itself.
    assert answer.status_code == (413 if len(query) > 8000 else 200), answer.status_code


@fuzz(60)
@given(kind=st.sampled_from(["/residents/{}", "/alerts/{}", "/conversations/{}"]),
       target=st.one_of(row_id, value, st.binary(max_size=30).map(lambda b: b.decode("latin-1"))),
       ok=st.one_of(st.none(), value))
@example(kind="/alerts/{}", target="9" * 40, ok=None)
def test_paths_with_odd_ids(admin, door, kind, target, ok) -> None:
    path = _path(kind, target) + ("" if ok is None else "?" + urlencode({"ok": ok}))
    answer = door.get(admin, path)
    assert answer.status_code in (200, 404, 405), answer.status_code


@fuzz(60)
@given(where=st.sampled_from(["form"] * 3 + ["query", "path"]), data=st.data(), before=text, after=text,
       name=st.sampled_from(["name", "note", "reason", "username", "q", "day", "x"]))
@example(where="form", data="/alerts/1/resolve", before="ok", after="", name="note")
@example(where="query", data="/residents", before="", after="", name="q")
@example(where="path", data="/conversations", before="a", after="b", name="x")
def test_nul_is_refused_anywhere(admin, door, where, data, before, after, name) -> None:
    """Nobody types NUL and PostgreSQL cannot store it (every form with one was a 500 there)."""
    # A path takes free text only as a sender id; elsewhere a NUL in the path matches no route (404).
    choices = {"form": POSTS[1:], "query": sorted(PAGES), "path": ["/conversations"]}[where]
    path = data if isinstance(data, str) else data.draw(st.sampled_from(choices), label="path")
    nul = before + "\x00" + after
    if where == "path":
        answer = door.get(admin, path + "/" + quote(nul, safe=""))
    elif where == "query":
        answer = door.get(admin, f"{path}?{urlencode({name: nul})}")
    else:
        answer = door.post(admin, admin.base, path, [(name, nul)], csrf=admin.csrf)
    assert answer.status_code == 400 and "无法保存的控制字符" in answer.text


def test_what_fuzzing_found_is_refused_politely(admin, door) -> None:
    """The first findings, as plain regressions: each was a 500 or a logged traceback."""
    too_big = "9" * 40
    assert door.post(admin, admin.base, f"/residents/{too_big}/link-code", [], csrf=admin.csrf).status_code == 404
    assert door.post(admin, admin.base, f"/alerts/{too_big}/acknowledge", [], csrf=admin.csrf).status_code == 404
    assert door.get(admin, f"/alerts/{too_big}").status_code == 404
    refused = door.post(admin, admin.base, "/residents/new", body=b"csrf=\xff", content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 400 and "表单的格式不对" in refused.text
    bad_canteen = door.post(admin, admin.base, "/residents/new", [("name", "张三"), ("birth_date", "1940-01-01"),
                                                                  ("home_canteen_id", "٣")], csrf=admin.csrf)
    assert bad_canteen.status_code == 400 and "请从列表里选择常去的食堂" in bad_canteen.text
    assert "日期超出范围" in door.get(admin, "/conversations?day=9999-12-31").text
    assert door.post(admin, admin.base, "/logout", [], csrf="²").status_code == 403
