"""`purge_conversations`: old conversations go, whole or by session; bookings, alerts and the audit log stay."""
from __future__ import annotations

import datetime as dt

import pytest
from rasa.shared.core.events import SessionStarted
from sqlalchemy import delete, select, text

from actions.db.models import AuditLog, ConversationSummary, NotUnderstoodTurn, SummaryCursor
from bot.ops.lifecycle.purge import purge_conversations
from bot.staff.conversation_list import ListFilters, conversation_page
from bot.staff.summaries import refresh_summaries
from bot.staff.transcript import load_transcript
from tests.conftest import NOW
from tests.unit.bot.ops.lifecycle.conftest import CONVERSATION_TABLES, district, event_count, local, old_records, row_counts, senders

pytestmark = pytest.mark.both_databases

TZ = "Asia/Shanghai"
CUTOFF = local(2026, 5, 27, 8)


def purge(sessions, dry_run: bool = False, days: int = 180):
    return purge_conversations(sessions, NOW, days, TZ, dry_run=dry_run)


def summaries(sessions) -> dict:
    with sessions() as session:
        return {s.sender_id: (s.channel, s.resident_id, s.started_at, s.last_at, s.user_turns, s.not_understood,
                              s.last_text, s.active_days, s.last_user_event_id, s.last_user_missed)
                for s in session.scalars(select(ConversationSummary))}


def queued_turns(sessions) -> dict:
    with sessions() as session:
        return {t.event_id: (t.sender_id, t.text) for t in session.scalars(select(NotUnderstoodTurn))}


def test_old_conversations_go_whole_and_old_sessions_of_ones_in_use(core, sessions) -> None:
    district(core)
    before = senders(sessions)
    report = purge(sessions)
    assert report.conversations_deleted == ["kiosk-community-edge", "kiosk-community-old"]
    assert report.conversations_trimmed == ["kiosk-home-1", "tg-100-2"]
    assert report.cutoff == dt.datetime(2026, 5, 27, 8, 0)
    after = senders(sessions)
    assert set(after) == {"kiosk-home-1", "tg-100-2", "kiosk-community-new"}
    # The home kiosk keeps the session running across the cut-off (started 07:59:30), whole.
    assert after["kiosk-home-1"] == local(2026, 5, 27, 7, 59, 30)
    assert after["tg-100-2"] == local(2026, 11, 20, 20)
    assert after["kiosk-community-new"] == before["kiosk-community-new"]


def test_every_event_left_is_recent_or_in_a_session_running_at_the_cut_off(core, sessions) -> None:
    district(core)
    total = event_count(sessions)
    report = purge(sessions)
    assert report.events == total - event_count(sessions) > 0
    with sessions() as session:
        oldest = session.execute(text("SELECT min(timestamp) FROM events")).scalar_one()
    assert oldest >= local(2026, 5, 27, 7, 59, 30)


def test_bookings_alerts_and_everything_else_stay(core, sessions) -> None:
    old_records(sessions)
    district(core)
    refresh_summaries(sessions, timezone=TZ)
    others = [name for name in row_counts(sessions) if name not in CONVERSATION_TABLES | {"events", "audit_log"}]
    before = row_counts(sessions, others)
    audit_before = row_counts(sessions, ["audit_log"])["audit_log"]
    purge(sessions)
    assert row_counts(sessions, others) == before
    assert before["meal_bookings"] >= 1 and before["alerts"] == 1 and before["alert_responses"] == 1
    assert before["service_bookings"] >= 1 and before["handoff_requests"] == 1
    with sessions() as session:
        entries = list(session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert len(entries) == audit_before + 1, "the old audit entries stay and the purge adds one"
    last = entries[-1]
    assert (last.actor, last.action, last.target) == ("system", "purge_conversations", "older_than:180d")
    assert "conversations_deleted 2" in last.detail and "conversations_trimmed 2" in last.detail


def test_a_dry_run_counts_the_same_and_deletes_nothing(core, sessions) -> None:
    district(core)
    refresh_summaries(sessions, timezone=TZ)
    everything = row_counts(sessions)
    dry = purge(sessions, dry_run=True)
    assert row_counts(sessions) == everything
    real = purge(sessions)
    assert dry.dry_run and not real.dry_run
    assert dry.counts() == real.counts()
    assert dry.events > 0 and dry.not_understood == 2 and dry.summaries_removed == 2


def test_a_second_purge_finds_nothing(core, sessions) -> None:
    district(core)
    purge(sessions)
    again = purge(sessions)
    assert again.counts() == {"conversations_deleted": 0, "conversations_trimmed": 0, "events": 0,
                              "not_understood_turns": 0, "summaries_removed": 0}


def test_a_longer_retention_keeps_more(core, sessions) -> None:
    district(core)
    report = purge(sessions, days=365)
    assert report.counts()["events"] == 0
    assert set(senders(sessions)) >= {"kiosk-community-old", "kiosk-home-1"}


def test_rasa_still_continues_a_trimmed_conversation(core, sessions) -> None:
    district(core)
    current = [event.as_dict() for event in core.retrieve("kiosk-home-1").events]
    purge(sessions)
    assert [event.as_dict() for event in core.retrieve("kiosk-home-1").events] == current
    core.session("kiosk-home-1", local(2026, 11, 23, 7, 50), ["你好"], resident_id=1)
    latest = core.retrieve("kiosk-home-1").events
    assert isinstance(latest[1], SessionStarted) and len(latest) == 8, "a new session, stored once"


def test_console_summaries_equal_a_fresh_count_of_what_is_left(core, sessions) -> None:
    district(core)
    refresh_summaries(sessions, timezone=TZ)
    purge(sessions)
    purged, turns = summaries(sessions), queued_turns(sessions)
    assert set(purged) == {"kiosk-home-1", "tg-100-2", "kiosk-community-new"}
    assert sorted(text for _, text in turns.values()) == ["乱七八糟", "听不懂的话"]
    home = purged["kiosk-home-1"]
    assert home[4] == 5 and home[5] == 1, "user turns and misunderstandings of the sessions left"
    assert home[7] == "20260527,20261122", "the days of the purged session are gone from the day filter"
    with sessions.begin() as session:  # count everything again from scratch
        session.execute(delete(ConversationSummary))
        session.execute(delete(NotUnderstoodTurn))
        session.execute(delete(SummaryCursor))
    refresh_summaries(sessions, timezone=TZ)
    assert summaries(sessions) == purged
    assert queued_turns(sessions) == turns


def test_events_the_console_has_not_read_yet_are_counted_later(core, sessions) -> None:
    district(core)
    refresh_summaries(sessions, timezone=TZ)
    core.session("tg-100-2", local(2026, 11, 22, 21), ["谢谢"], channel="telegram", resident_id=2)
    purge(sessions)
    refresh_summaries(sessions, timezone=TZ)
    assert summaries(sessions)["tg-100-2"][4] == 2, "last week's turn and yesterday's"


def test_the_console_forgets_a_purged_conversation(core, sessions) -> None:
    district(core)
    refresh_summaries(sessions, timezone=TZ)
    purge(sessions)
    refresh_summaries(sessions, timezone=TZ)
    rows, _more = conversation_page(sessions, ListFilters(), TZ)
    assert {row.sender_id for row in rows} == {"kiosk-home-1", "tg-100-2", "kiosk-community-new"}
    assert load_transcript(sessions, "kiosk-community-old", TZ) is None
    assert load_transcript(sessions, "kiosk-home-1", TZ) is not None
    day, _ = conversation_page(sessions, ListFilters(day=dt.date(2026, 4, 1)), TZ)
    assert day == []


def test_a_database_without_rasa_events_is_left_alone(sessions) -> None:
    report = purge(sessions)
    assert not report.has_events and report.counts()["events"] == 0


@pytest.mark.parametrize("dry_run", [False, True])
def test_nothing_old_nothing_deleted(core, sessions, dry_run) -> None:
    core.session("kiosk-community-new", local(2026, 11, 23, 7), ["你好"])
    report = purge(sessions, dry_run=dry_run)
    assert report.counts()["events"] == 0 and set(senders(sessions)) == {"kiosk-community-new"}
