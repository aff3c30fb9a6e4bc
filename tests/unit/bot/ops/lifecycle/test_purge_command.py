"""`xiaonuan purge [--days N] [--dry-run]`: what it says, what it returns."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.kernel.settings import PROJECT_ROOT
from bot.ops.cli import main
from bot.staff.summaries import refresh_summaries
from tests.unit.bot.ops.lifecycle.conftest import district, event_count, row_counts
from tests.unit.bot.ops.lifecycle.test_housekeeping import left, working_records


def test_a_dry_run_says_what_would_go_and_deletes_nothing(core, sessions, capsys) -> None:
    district(core)
    working_records(sessions)
    before = row_counts(sessions)
    assert main(["purge", "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "[purge] dry run: conversations older than 180 days, from before 2026-05-27 08:00 (local time)" in said
    assert "would delete 2 conversations whole and the old sessions of 2 others" in said
    assert "[purge] dry run: old working records that would go: outbox_delivered 1, channel_deliveries 1," in said
    assert "nothing was deleted" in said
    assert row_counts(sessions) == before


def test_purge_deletes_and_says_what_it_kept(core, sessions, capsys) -> None:
    district(core)
    working_records(sessions)
    refresh_summaries(sessions)  # the console has queued the misunderstandings
    total = event_count(sessions)
    assert main(["purge"]) == 0
    said = capsys.readouterr().out
    assert "[purge] old working records deleted: outbox_delivered 1, channel_deliveries 1, resident_messages_told 1, " \
           "reminder_occurrences_old 1, reminder_followers_stopped 1, reminders_stopped 1, family_notes_old 1, " \
           "link_codes_expired 1, link_attempts 1, telegram_updates 1, staff_sessions_expired 1, " \
           "notice_receipts 1, community_notices 1" in said
    assert left(sessions)["outbox"] == ["key-new-delivered", "key-old-undelivered"]
    deleted = total - event_count(sessions)
    assert f"[purge] deleted 2 conversations whole and the old sessions of 2 others: {deleted} events, " \
           "2 not-understood turns, 2 console summaries" in said
    assert "kept: meal and service bookings, alerts" in said


def test_days_on_the_command_line_win_over_the_setting(core, sessions, monkeypatch, capsys) -> None:
    district(core)
    monkeypatch.setenv("XIAONUAN_RETENTION_DAYS", "30")
    assert main(["purge", "--days", "400", "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "older than 400 days" in said and "would delete 0 conversations whole" in said
    assert main(["purge", "--dry-run"]) == 0
    assert "older than 30 days, from before 2026-10-24 08:00" in capsys.readouterr().out


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
def test_days_must_be_a_positive_whole_number(sessions, capsys, days) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["purge", "--days", days])
    assert stopped.value.code == 2
    assert "must be a whole number of days, at least 1" in capsys.readouterr().err


def test_a_bad_retention_setting_is_named(sessions, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XIAONUAN_RETENTION_DAYS", "0")
    assert main(["purge"]) == 2
    assert "XIAONUAN_RETENTION_DAYS must be at least 1" in capsys.readouterr().err


def test_conversations_in_another_database_are_not_purged_by_halves(sessions, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XIAONUAN_TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'trackers.db'}")
    assert main(["purge"]) == 2
    assert "XIAONUAN_TRACKER_STORE_URL" in capsys.readouterr().err


def test_the_installed_command_runs(core, sessions, database_url) -> None:
    district(core)
    done = subprocess.run([sys.executable, "-m", "bot.ops.cli", "purge", "--dry-run"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"DATABASE_URL": database_url, "XIAONUAN_NOW": "2026-11-23T08:00", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "would delete 2 conversations whole" in done.stdout


def test_a_database_an_older_version_made_is_refused_clearly(tmp_path, monkeypatch, capsys) -> None:
    from actions.db.schema import BASELINE, run_revisions
    from actions.db.session import make_engine

    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    run_revisions(engine, BASELINE)  # the first release's schema
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{old}")
    assert main(["purge"]) == 1
    said = capsys.readouterr().err
    assert "made by an older version of Xiaonuan (schema revision 0001" in said and "xiaonuan migrate" in said
