"""`xiaonuan run`, the command behind `make run`, as a person at the text kiosk meets it.

The real process starts the action server, the Rasa server, the staff console, the large-text
screen and the outbox and retention workers; the test types at its prompt, waits for the first
retention round, then ends the conversation the way a user does (end of input).
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, FamilyMember, OutboxMessage
from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from bot.kernel.settings import PROJECT_ROOT, child_environment, load_settings
from bot.ops.launcher import free_port
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.e2e


def _seeded(url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    create_schema(engine)
    sessions = session_factory(engine)
    seed_demo_data(sessions, TODAY)
    with sessions.begin() as session:
        family = session.scalars(select(FamilyMember).order_by(FamilyMember.id)).first()
        session.add(OutboxMessage(recipient=f"family:{family.id}", kind="meal_booked", text="您母亲订了午饭。",
                                  key="delivered-last-winter", created_at=dt.datetime(2026, 1, 5),
                                  delivered_at=dt.datetime(2026, 1, 5, 0, 1)))
    return sessions


def _wait_for(path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text(encoding="utf-8").strip():
            return path.read_text(encoding="utf-8")
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written within {timeout}s")


def _start_run(tmp_path: Path, console: int) -> subprocess.Popen:
    """`xiaonuan run` at a home kiosk on its own database, ports and run directory, in its own process group."""
    url = f"sqlite:///{tmp_path / 'run.db'}"
    env = child_environment(load_settings().with_overrides(
        database_url=url, fixed_now=NOW.isoformat(), kiosk_mode="home", kiosk_resident_id=1, purge_every_hours=0.001,
        vosk_model=tmp_path / "no-chinese-model", telegram_bot_token=""))
    env.update({"XIAONUAN_SPEECH": "0", "XIAONUAN_RUN_DIR": str(tmp_path / "run"), "XIAONUAN_CONSOLE_PORT": str(console),
                "XIAONUAN_SCREEN_PORT": str(free_port("127.0.0.1")), "XIAONUAN_RASA_PORT": "0",
                "XIAONUAN_DEVICES_PORT": str(free_port("127.0.0.1")),
                "XIAONUAN_ACTIONS_PORT": "0"})
    return subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "run"], cwd=PROJECT_ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _end(process: subprocess.Popen) -> None:
    """Whatever happened: the whole process group, servers included, so nothing is left running."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # everything has ended already
    process.wait()


def test_run_starts_everything_answers_at_the_kiosk_and_applies_retention(stack, tmp_path) -> None:
    # `stack` is here for its trained model: `run` finds it and does not train again.
    sessions = _seeded(f"sqlite:///{tmp_path / 'run.db'}")
    run_dir = tmp_path / "run"
    console = free_port("127.0.0.1")
    process = _start_run(tmp_path, console)
    try:
        assert process.stdin is not None
        process.stdin.write("今天中午吃什么\n")
        process.stdin.flush()
        retention = _wait_for(run_dir / "retention.log", 120)
        out, err = process.communicate(input="", timeout=60)  # the person walks away: end of input
    finally:
        _end(process)
    assert process.returncode == 0, err[-3000:]
    assert "[run] ready in" in out
    assert f"[run] staff console: http://127.0.0.1:{console}" in out and "one-time password" in out
    assert "Telegram channel is off: set TELEGRAM_BOT_TOKEN" in out
    assert "[run] device door: http://127.0.0.1:" in out and "/v1/events (SOS buttons and wristbands" in out
    assert "[run] retention: conversations and delivered notices older than 180 days are deleted every 0.001 h" in out
    assert "[run] alert ladder: unacknowledged alerts are re-sounded and family told after 60 s, " \
           "every staff account called after 180 s" in out
    assert "小暖已准备好" in out
    answer = out.split("您说：", 1)[1]
    assert "小暖：今天（11月23日，星期一）午饭有：" in answer and "【1】订这顿午饭" in answer
    assert "再见" in out and out.rstrip().endswith("[run] stopped.")
    assert "conversations deleted whole" in retention and "outbox_delivered 1" in retention
    with sessions() as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.key == "delivered-last-winter")).first() is None
        assert session.scalars(select(AuditLog).where(AuditLog.actor == "system:schedule",
                                                      AuditLog.action == "prune_records")).first() is not None


def test_a_service_manager_stopping_run_stops_its_servers_too(stack, tmp_path) -> None:
    _seeded(f"sqlite:///{tmp_path / 'run.db'}")
    console = free_port("127.0.0.1")
    process = _start_run(tmp_path, console)
    try:
        deadline = time.monotonic() + 120
        while not _listening(console):  # the console starts after the servers are ready
            assert process.poll() is None and time.monotonic() < deadline, "xiaonuan run did not start"
            time.sleep(0.2)
        servers = psutil.Process(process.pid).children(recursive=True)
        assert len(servers) >= 2  # the action server and the Rasa server
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        _, alive = psutil.wait_procs(servers, timeout=10)  # before the clean-up below kills the group
    finally:
        _end(process)
    assert alive == [], f"left running: {alive}"
    assert process.returncode == 0, err[-3000:]
    assert out.rstrip().endswith("[run] stopped.")


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
