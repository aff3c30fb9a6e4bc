"""The database fails under the booking action: PostgreSQL stopped for a few seconds, or the SQLite file's disk full.
The person is told calmly, nothing is half-written, and saying it again works once the database is back."""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.db.models import AuditLog, MealBooking
from tests.conftest import seeded_database
from tests.support.servers import ThrowawayPostgres
from tests.unit.actions.form_driver import said
from tests.unit.actions.test_meal_form import _meal_form

BUSY = "utter_system_busy"


async def _book(form) -> list:
    """The booking action itself, on the slots the read-back showed, as Rasa runs it after "对"."""
    form.slots["meal_confirmed"] = True
    dispatcher = CollectingDispatcher()
    await form.submit.run(dispatcher, form._tracker([]), form.domain)
    return dispatcher.messages


def _counts(sessions) -> tuple:
    with sessions() as session:
        return (session.scalar(select(func.count(MealBooking.id))),
                session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "meal_booked")))


@pytest.fixture()
def own_postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres().start()  # its own server: this test stops it
    try:
        yield server
    finally:
        server.stop()


async def test_postgres_down_for_a_few_seconds(own_postgres, domain, monkeypatch, caplog) -> None:
    with seeded_database(own_postgres.create_database(), monkeypatch) as sessions:
        form = _meal_form(domain)
        assert said(await form.say("帮我订后天两份晚饭送到家", "book_meal", message_id="m1")).startswith("我念一下")
        own_postgres.pause()
        try:
            reply = await _book(form)
        finally:
            own_postgres.resume()
        assert BUSY in said(reply) and {m.get("response") for m in reply} == {BUSY}
        assert "the database is unavailable" in caplog.text
        assert _counts(sessions) == (0, 0), "nothing half-written"
        reply = said(await _book(form))
        assert reply.startswith("订好了！"), reply
        assert _counts(sessions) == (1, 1)


def _mount_tmpfs(path: Path, size_kb: int) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
                          capture_output=True, text=True)
    return done.returncode == 0


def _fill(disk: Path) -> Path:
    """Write until the disk has no space left."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(descriptor)
    return filler


async def test_sqlite_on_a_full_disk(tmp_path, domain, monkeypatch, caplog) -> None:
    disk = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    assert _mount_tmpfs(disk, 8 * 1024), "the test mounts a small tmpfs as the full disk (needs root, as in CI)"
    try:
        with seeded_database(f"sqlite:///{disk / 'xiaonuan.db'}", monkeypatch) as sessions:
            form = _meal_form(domain)
            assert said(await form.say("帮我订后天两份晚饭送到家", "book_meal", message_id="m1")).startswith("我念一下")
            filler = _fill(disk)
            reply = await _book(form)
            assert BUSY in said(reply) and {m.get("response") for m in reply} == {BUSY}
            assert "the database disk is full" in caplog.text
            filler.unlink()  # space again: no restart needed
            assert _counts(sessions) == (0, 0), "nothing half-written"
            assert said(await _book(form)).startswith("订好了！")
            assert _counts(sessions) == (1, 1)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_every_action_the_server_registers_runs_inside_the_guard() -> None:
    """The guard is visible where an action is written: it derives from GuardedAction and writes `act`
    (or is a GuardedFormValidation); `run` is the base class's, which calls `act` inside the guard."""
    import importlib
    import inspect
    import pkgutil

    from rasa_sdk import Action

    import actions
    from actions.guarded import GuardedAction, GuardedFormValidation

    registered = []
    for info in pkgutil.walk_packages(actions.__path__, "actions."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Action) and not inspect.isabstract(cls):
                registered.append(cls)
    assert len(registered) > 40
    for cls in registered:
        assert issubclass(cls, (GuardedAction, GuardedFormValidation)), cls
        base = GuardedAction if issubclass(cls, GuardedAction) else GuardedFormValidation
        assert cls.run is base.run, f"{cls.__name__} overrides run: write act instead"
