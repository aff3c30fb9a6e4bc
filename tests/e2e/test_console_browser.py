"""The staff console in headless Chromium (Debian's chromium, driven by Playwright), on the database of
the real core, so alerts and conversations come from real turns over HTTP."""
from __future__ import annotations

import re
import shutil
import time
import uuid
from typing import Iterator

import pytest
import yaml
from sqlalchemy import delete, select

from actions.db.models import Alert, AuditLog, NotUnderstoodTurn, StaffSession, StaffUser
from bot.kernel.contract import ChannelMetadata
from bot.staff import auth
from bot.staff.app import ConsoleServer, build_console

pytestmark = pytest.mark.e2e
ADMIN_PASSWORD = "admin-password-2026"


@pytest.fixture(scope="module")
def console(stack, e2e_database) -> Iterator[ConsoleServer]:
    server = ConsoleServer(build_console(stack.settings, e2e_database[1]), "127.0.0.1", 0).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "make test installs Debian's chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


def _account(db, role: str, password: str) -> str:
    name = f"{role}-{uuid.uuid4().hex[:6]}"
    with db.begin() as session:
        session.add(StaffUser(username=name, display_name=f"测试{role}", role=role,
                              password_hash=auth.hash_password(password), must_change_password=False))
    return name


def _log_in(browser, console: ConsoleServer, username: str, password: str):
    page = browser.new_context().new_page()
    page.goto(console.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def test_first_login_with_the_one_time_password(browser, console, db) -> None:
    first = auth.ensure_first_admin(db)  # the demo district's admin has no password yet: the first start
    assert first is not None and first[0] == "admin"
    assert auth.ensure_first_admin(db) is None, "the one-time password is given once"
    page = _log_in(browser, console, *first)
    page.wait_for_url("**/password")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.fill("input[name=again]", ADMIN_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/today")
    assert "社区管理员" in page.inner_text("header")
    cookie = next(c for c in page.context.cookies() if c["name"] == "xn_staff")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.context.close()


def test_wrong_passwords_lock_the_account(browser, console, db) -> None:
    name = _account(db, "staff", "right-password-1")
    page = _log_in(browser, console, name, "wrong")
    assert "用户名或密码不对" in page.inner_text(".error")
    for _ in range(4):
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", "wrong")
        page.click("button[type=submit]")
    assert "锁定" in page.inner_text(".error")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", "right-password-1")
    page.click("button[type=submit]")
    assert "锁定" in page.inner_text(".error"), "even the right password waits out the lock"
    assert "30秒" in page.inner_text(".error"), "a short wait that doubles, not a 15-minute wall"
    with db() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.username == name))
        assert session.scalar(select(AuditLog.id).where(AuditLog.actor == f"staff:{user_id}",
                                                        AuditLog.action == "locked_out")) is not None
    page.context.close()


def test_an_alert_from_the_core_appears_within_3_s_and_is_acknowledged(browser, console, client, db) -> None:
    page = _log_in(browser, console, _account(db, "staff", "staff-password-1"), "staff-password-1")
    page.wait_for_url("**/today")
    kiosk = ChannelMetadata(channel="kiosk", role="resident", resident_id=2, kiosk_mode="home",
                            location="幸福里5号楼")
    client.send(f"console-sos-{uuid.uuid4().hex[:6]}", "救命 我胸口疼", kiosk)
    with db() as session:
        alert_id = session.scalar(select(Alert.id).where(Alert.location == "幸福里5号楼").order_by(Alert.id.desc()))
    line = page.wait_for_selector(f"#alerts-banner [data-alert-id='{alert_id}']", timeout=3000)
    assert "王建国" in line.inner_text() and "胸口疼" in line.inner_text()
    line.click()
    page.wait_for_url(f"**/alerts/{alert_id}")
    assert "13800005678" in page.inner_text("main")  # the phone to call, in full on the alert itself
    assert "王强" in page.inner_text("main")  # linked family
    page.fill("form[action$='/acknowledge'] input[name=note]", "已打电话，马上上门")
    page.click("form[action$='/acknowledge'] button")
    page.wait_for_selector(".status.acknowledged")
    with db() as session:
        alert = session.get(Alert, alert_id)
    assert alert.status == "acknowledged" and "已打电话" in alert.note
    page.select_option("form[action$='/resolve'] select[name=outcome]", "hospital")
    page.fill("form[action$='/resolve'] input[name=note]", "已送医，家属已到")
    page.click("form[action$='/resolve'] button")
    page.wait_for_selector(".status.resolved, h1:has-text('已处理')")
    page.goto(console.url + "/today")
    time.sleep(2.5)  # a banner refresh later, the resolved alert is gone
    assert page.query_selector(f"#alerts-banner [data-alert-id='{alert_id}']") is None
    page.context.close()


def test_a_session_ended_elsewhere_takes_the_open_page_to_login(browser, console, db) -> None:
    name = _account(db, "staff", "staff-password-7")
    page = _log_in(browser, console, name, "staff-password-7")
    page.wait_for_url("**/today")
    with db.begin() as session:  # as when an admin unlocks/resets the account, or the session expires
        staff_id = session.scalar(select(StaffUser.id).where(StaffUser.username == name))
        session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
    page.wait_for_url("**/login", timeout=6000)  # the next banner poll gets 401 and reloads the page
    assert page.query_selector("#alerts-banner") is None and "登录" in page.inner_text("main")
    page.context.close()


def test_a_staff_user_cannot_open_admin_pages(browser, console, db) -> None:
    page = _log_in(browser, console, _account(db, "staff", "staff-password-2"), "staff-password-2")
    page.wait_for_url("**/today")
    assert page.query_selector("nav a[href='/admin/staff']") is None
    for path in ("/admin/staff", "/admin/audit"):
        answer = page.goto(console.url + path)
        assert answer.status == 403 and "只有管理员" in page.inner_text("main")
    page.context.close()


def test_an_admin_creates_an_account_shown_once(browser, console, db) -> None:
    page = _log_in(browser, console, _account(db, "admin", "admin-password-3"), "admin-password-3")
    page.wait_for_url("**/today")
    page.goto(console.url + "/admin/staff")
    page.fill("input[name=username]", "xiaoli")
    page.fill("input[name=display_name]", "小李")
    page.click("form[action='/admin/staff'] button")
    shown = page.inner_text(".otp")
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", shown)
    with db() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "xiaoli"))
    assert user.role == "staff" and user.must_change_password and auth.password_matches(user.password_hash, shown)
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(browser, console, db) -> None:
    page = _log_in(browser, console, _account(db, "staff", "staff-password-4"), "staff-password-4")
    page.wait_for_url("**/today")
    refused = page.request.post(console.url + "/password",
                                form={"password": "attacker-pass-1", "again": "attacker-pass-1"})
    assert refused.status == 403 and "安全令牌" in refused.text()
    forged = page.request.post(console.url + "/password",
                               form={"csrf": "forged", "password": "attacker-pass-1", "again": "attacker-pass-1"})
    assert forged.status == 403
    page.context.close()


def test_a_transcript_shows_intents(browser, console, client, db) -> None:
    sender = f"console-talk-{uuid.uuid4().hex[:6]}"
    kiosk = ChannelMetadata(channel="kiosk", role="resident", resident_id=3, kiosk_mode="home")
    client.send(sender, "明天中午吃什么", kiosk)
    client.send(sender, "谢谢你", kiosk)
    page = _log_in(browser, console, _account(db, "staff", "staff-password-5"), "staff-password-5")
    page.wait_for_url("**/today")
    page.goto(console.url + "/conversations")
    page.click(f"a[href='/conversations/{sender}']")
    page.wait_for_url(f"**/conversations/{sender}")
    transcript = page.inner_text("main")
    assert "明天中午吃什么" in transcript and "ask_menu" in transcript and "thank" in transcript
    assert re.search(r"0\.\d\d", transcript), "confidences are shown"
    assert "action_answer_menu" in transcript
    page.context.close()


def test_a_not_understood_turn_is_labelled_and_exported(browser, console, client, db) -> None:
    words = "咕噜咕噜啪嗒"  # below the fallback threshold with the trained model (nlu_fallback)
    sender = f"console-unk-{uuid.uuid4().hex[:6]}"
    client.send(sender, words, ChannelMetadata(channel="kiosk", role="resident", resident_id=3, kiosk_mode="home"))
    page = _log_in(browser, console, _account(db, "staff", "staff-password-6"), "staff-password-6")
    page.wait_for_url("**/today")
    page.goto(console.url + "/not-understood")
    row = page.locator("form", has_text=words).first
    row.locator("select").select_option("book_service")
    row.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    with db() as session:
        turn = session.scalar(select(NotUnderstoodTurn).where(NotUnderstoodTurn.text == words)
                              .order_by(NotUnderstoodTurn.event_id.desc()))
    assert turn is not None and turn.label == "book_service"
    with page.expect_download() as download:
        page.click("form[action='/not-understood/export'] button")
    exported = yaml.safe_load(open(download.value.path(), encoding="utf-8").read())
    examples = {entry["intent"]: entry["examples"] for entry in exported["nlu"]}
    assert words in examples["book_service"]
    with db() as session:
        assert session.get(NotUnderstoodTurn, turn.event_id).exported_at is not None
    page.context.close()
