"""Findings: transcripts and lists showed phone numbers written with spaces, dashes, +86 or spoken digits and
ID numbers in full; the action server's log wrote alert texts with numbers and names; the database and the
logs were created world-readable (0644)."""
from __future__ import annotations

import stat
import time
import uuid

import pytest
from sqlalchemy import select

from actions.db.models import Alert
from bot.kernel.contract import ChannelMetadata
from bot.ops.lifecycle.backup import backup_sqlite
from tests.security.test_console_doors import FULL, SAID, _account, _log_in

pytestmark = pytest.mark.e2e


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_logs_config_and_backups_are_private(stack, security_database, tmp_path) -> None:
    database = security_database[2]
    assert _mode(database) == 0o600 and _mode(database.parent) == 0o700
    for wal in database.parent.glob("*.db-*"):
        assert _mode(wal) & 0o077 == 0, wal
    for log in stack.logs:
        assert _mode(log) == 0o600, log
    run_dir = stack.logs[0].parent
    assert _mode(run_dir) == 0o700
    assert _mode(run_dir / "endpoints.yml") == 0o600, "it holds the action token"
    backup = backup_sqlite(database, tmp_path / "copy.db")
    assert _mode(backup.path) == 0o600


def test_logs_carry_ids_not_names_or_numbers(stack, client, db) -> None:
    sender = f"kiosk-home-1-{uuid.uuid4().hex[:4]}"
    home = ChannelMetadata(channel="kiosk", role="resident", resident_id=1, kiosk_mode="home", location="张家客厅")
    assert "120" in client.send(sender, "救命，" + SAID, home).text
    with db() as session:
        alert = session.scalars(select(Alert).where(Alert.sender_id == sender)).one()
    time.sleep(0.5)
    logs = "\n".join(log.read_text(encoding="utf-8", errors="replace") for log in stack.logs)
    assert f"ALERT {alert.id} resident=1" in logs, "the alert is still in the log, by id"
    for secret in FULL + ("13800001234", "张桂英", "身份证"):
        assert secret not in logs, secret


def test_transcripts_and_the_conversation_list_are_masked(console, client, db) -> None:
    sender = f"kiosk-home-2-{uuid.uuid4().hex[:4]}"
    home = ChannelMetadata(channel="kiosk", role="resident", resident_id=2, kiosk_mode="home", location="王家客厅")
    client.send(sender, SAID, home)
    http = _log_in(console, _account(db, "mask-pass-of-mine-2"), "mask-pass-of-mine-2")
    transcript = http.get(f"{console.url}/conversations/{sender}", timeout=60).text
    listing = http.get(console.url + "/conversations", timeout=60).text
    queue = http.get(console.url + "/not-understood", timeout=60).text
    assert "居民说" in transcript
    for page in (transcript, listing, queue):
        for number in FULL:
            assert number not in page, number
    assert "幺三八****五六七八" in transcript and "1101**********1234" in transcript
