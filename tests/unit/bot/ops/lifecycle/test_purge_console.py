"""The staff console after a purge: purged conversations and sessions are gone from every page, nothing breaks."""
from __future__ import annotations

import re
from typing import List

import pytest

from bot.ops.cli import main
from tests.unit.bot.ops.lifecycle.conftest import district
from tests.unit.bot.staff.console_helpers import admin_client, running_console


def listed(html: str) -> List[str]:
    return re.findall(r'<td><a href="/conversations/([^"#]+)">', html)


@pytest.fixture()
def admin(sessions, database_url):
    with running_console(sessions, database_url) as server:
        yield admin_client(server.url, sessions)


def test_the_console_after_a_purge(core, sessions, admin) -> None:
    district(core)
    assert sorted(listed(admin.get("/conversations").text)) == [
        "kiosk-community-edge", "kiosk-community-new", "kiosk-community-old", "kiosk-home-1", "tg-100-2"]
    assert "那个那个" in admin.get("/not-understood").text
    assert main(["purge"]) == 0
    assert sorted(listed(admin.get("/conversations").text)) == ["kiosk-community-new", "kiosk-home-1", "tg-100-2"]
    assert listed(admin.get("/conversations?day=2026-04-01").text) == []
    assert admin.get("/conversations/kiosk-community-old").status_code == 404
    home = admin.get("/conversations/kiosk-home-1")
    assert home.status_code == 200
    assert "明天吃什么" in home.text and "早上好" not in home.text
    queue = admin.get("/not-understood").text
    assert "那个那个" not in queue and "嗯嗯啊" not in queue and "乱七八糟" in queue
