"""The console's gate over HTTP: who gets a page, a redirect or a bare status."""

import pytest

from bot.staff import auth
from tests.unit.bot.staff.console_helpers import log_in

pytestmark = pytest.mark.both_databases


def test_pages_send_strangers_to_login_but_the_polled_banner_gets_401(console) -> None:
    import requests

    page = requests.get(console.url + "/today", timeout=30)
    assert page.url.endswith("/login") and "登录" in page.text
    banner = requests.get(console.url + "/alerts/banner", timeout=30, allow_redirects=False)
    assert banner.status_code == 401 and "<html" not in banner.text


def test_before_the_first_password_is_set_the_banner_is_neither_shown_nor_served(console, sessions) -> None:
    # The banner script pastes what it fetches into the page; a redirect to the password page would
    # paste a second password form into the banner (and its empty fields would block the real one).
    first = auth.ensure_first_admin(sessions)
    http = log_in(console.url, *first)
    page = http.get(console.url + "/today", timeout=30)
    assert page.url.endswith("/password") and 'id="alerts-banner"' not in page.text
    banner = http.get(console.url + "/alerts/banner", timeout=30, allow_redirects=False)
    assert banner.status_code == 403 and "<form" not in banner.text and "设置密码" in banner.text


def test_after_the_password_the_banner_is_on_every_page(admin) -> None:
    page = admin.get("/today")
    assert 'id="alerts-banner"' in page.text
    banner = admin.get("/alerts/banner", allow_redirects=False)
    assert banner.status_code == 200 and "<html" not in banner.text
