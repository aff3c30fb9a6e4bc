"""The retention period applied on a schedule inside `xiaonuan run` (`RetentionWorker`)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog
from actions.db.session import make_engine, session_factory
from bot.kernel.settings import load_settings
from bot.ops.lifecycle.retention_worker import RetentionWorker, apply_retention
from tests.unit.bot.ops.lifecycle.conftest import district, senders
from tests.unit.bot.ops.lifecycle.test_housekeeping import left, working_records


def test_one_round_purges_conversations_and_prunes_records(core, sessions) -> None:
    district(core)
    working_records(sessions)
    done = apply_retention(load_settings(), sessions)
    assert set(senders(sessions)) == {"kiosk-home-1", "tg-100-2", "kiosk-community-new"}
    assert done.conversations is not None and len(done.conversations.conversations_deleted) == 2
    assert done.records["outbox_delivered"] == 1
    assert left(sessions)["outbox"] == ["key-new-delivered", "key-old-undelivered"]
    assert "2 conversations deleted whole, 2 trimmed" in done.summary()
    with sessions() as session:
        actors = {(entry.actor, entry.action) for entry in session.scalars(select(AuditLog))}
    assert {("system:schedule", "purge_conversations"), ("system:schedule", "prune_records")} <= actors


def test_conversations_in_another_database_are_left_alone(core, sessions, tmp_path) -> None:
    district(core)
    working_records(sessions)
    settings = load_settings().with_overrides(tracker_store_url=f"sqlite:///{tmp_path / 'trackers.db'}")
    done = apply_retention(settings, sessions)
    assert done.conversations is None
    assert len(senders(sessions)) == 5  # nothing purged by halves
    assert done.records["outbox_delivered"] == 1
    assert "XIAONUAN_TRACKER_STORE_URL" in done.summary()


def test_the_worker_runs_rounds_on_its_interval_and_stops_at_once(core, sessions) -> None:
    district(core)
    rounds = []
    happened = threading.Event()

    def record(done) -> None:
        rounds.append(done)
        if len(rounds) == 2:
            happened.set()

    settings = load_settings().with_overrides(purge_every_hours=0.001)  # 3.6 s
    worker = RetentionWorker(settings, sessions, on_round=record).start()
    try:
        assert happened.wait(20), f"only {len(rounds)} rounds ran"
        assert len(rounds[0].conversations.conversations_deleted) == 2
        assert rounds[1].conversations.conversations_deleted == []  # nothing left to do the second time
    finally:
        started = time.monotonic()
        worker.stop()
    assert time.monotonic() - started < 2 and not worker.running


def test_a_failing_round_is_counted_and_the_next_one_runs(tmp_path) -> None:
    broken = session_factory(make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}"))
    settings = load_settings().with_overrides(purge_every_hours=0.001)  # 3.6 s
    worker = RetentionWorker(settings, broken).start()
    try:
        deadline = time.monotonic() + 20
        while worker.failures < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.failures >= 2 and worker.rounds == 0 and worker.running
    finally:
        worker.stop()


def test_the_worker_is_off_when_the_interval_is_zero(sessions) -> None:
    worker = RetentionWorker(load_settings().with_overrides(purge_every_hours=0), sessions).start()
    assert not worker.running
    worker.stop()


@pytest.mark.parametrize("value", ["-1", "0.0001", "800", "nan", "soon"])
def test_a_bad_interval_is_refused_by_name(value, monkeypatch) -> None:
    monkeypatch.setenv("XIAONUAN_PURGE_EVERY_HOURS", value)
    with pytest.raises(ValueError, match="XIAONUAN_PURGE_EVERY_HOURS"):
        load_settings()
