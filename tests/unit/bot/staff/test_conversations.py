"""Conversations in the console: summaries kept from Rasa's events, the filtered list, the audited transcript.

The events are written by Rasa's own SQLTrackerStore into the test database, as the core does.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from sqlalchemy import select, text

from actions.db.models import AuditLog, ConversationSummary, NotUnderstoodTurn, SummaryCursor
from bot.staff.summaries import refresh_summaries, settled
from tests.support.rasa_trackers import TrackerWriter
from tests.unit.bot.staff.console_helpers import staff_actor

pytestmark = pytest.mark.both_databases

ZONE = ZoneInfo("Asia/Shanghai")  # the settings' default: local days are Shanghai days


def local(day: int, hour: int, minute: int = 0) -> float:
    """An epoch timestamp for a local time in November 2026."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ZONE).timestamp()


@dataclass
class Turn:
    """One user message and the assistant's answer to it, as the core records them."""

    text: str
    intent: str
    confidence: float
    action: str
    reply: str
    ranking: Sequence[tuple] = ()  # (intent, confidence) after the top one
    entities: List[Dict[str, Any]] = field(default_factory=list)
    buttons: List[Dict[str, str]] = field(default_factory=list)


def fallback(words: str, best: str, best_confidence: float) -> Turn:
    """A turn the FallbackClassifier gave up on (its confidence is the threshold, 0.3)."""
    return Turn(words, "nlu_fallback", 0.3, "action_fallback", "对不起，我没听懂。您可以说：订餐、上门服务，或者问政策。",
                ranking=((best, best_confidence), ("greet", 0.1)),
                buttons=[{"title": "订餐", "payload": "/book_meal"}, {"title": "上门服务", "payload": "/book_service"}])


class Core(TrackerWriter):
    """Writes conversations through Rasa's SQLTrackerStore into the application's database."""

    def talk(self, sender_id: str, start: float, turns: Sequence[Turn], channel: str = "kiosk",
             resident_id: Optional[int] = None, new_session: bool = True) -> None:
        metadata: Dict[str, Any] = {"channel": channel, "role": "resident" if resident_id else "anonymous"}
        if resident_id:
            metadata["resident_id"] = resident_id
        events: List[Event] = []
        if new_session:
            events += [ActionExecuted("action_session_start", timestamp=start),
                       SessionStarted(timestamp=start), SlotSet("channel", channel, timestamp=start)]
            if resident_id:
                events.append(SlotSet("resident_id", str(resident_id), timestamp=start))
            events.append(ActionExecuted("action_listen", timestamp=start))
        for index, turn in enumerate(turns):
            at = start + 1 + index * 20
            ranking = [{"name": turn.intent, "confidence": turn.confidence}]
            ranking += [{"name": name, "confidence": value} for name, value in turn.ranking]
            events += [
                UserUttered(turn.text, intent={"name": turn.intent, "confidence": turn.confidence},
                            entities=turn.entities, parse_data={"intent_ranking": ranking}, timestamp=at,
                            input_channel="secure_rest", message_id=f"{sender_id}-{at}", metadata=metadata),
                ActionExecuted(turn.action, policy="RulePolicy", confidence=1.0, timestamp=at + 0.5),
                BotUttered(turn.reply, data={"buttons": turn.buttons} if turn.buttons else {}, timestamp=at + 0.6),
                ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, timestamp=at + 0.7),
            ]
        self.save(sender_id, events)


MENU = Turn("明天中午吃什么", "ask_menu", 0.93, "action_answer_menu", "明天午餐有红烧肉、清炒菠菜。",
            entities=[{"entity": "day", "value": "明天", "start": 0, "end": 2, "extractor": "RegexEntityExtractor"}])
THANKS = Turn("谢谢你", "thank", 0.97, "utter_thank", "不客气！")
HELLO = Turn("你好", "greet", 0.88, "utter_greet", "您好，我是小暖。")


def district(core: Core) -> None:
    """Five conversations over three days (local time), two of them with a misunderstanding."""
    core.talk("kiosk-zhang", local(23, 7, 30), [MENU, THANKS], channel="kiosk", resident_id=1)
    core.talk("tg-wang", local(22, 10), [fallback("帮我把那个东西弄一下", "book_service", 0.22), THANKS],
              channel="telegram", resident_id=2)
    core.talk("kiosk-li", local(21, 9), [HELLO], channel="kiosk", resident_id=3)
    # Two days later, same kiosk: a confident intent the core still could not act on (core fallback).
    core.talk("kiosk-li", local(23, 6), [Turn("给我孙子打个电话", "greet", 0.61, "action_fallback", "对不起，我没听懂。")],
              channel="kiosk", resident_id=3)
    core.talk("anon:web1", local(23, 0, 20), [HELLO], channel="rest")  # 22 Nov 16:20 UTC: a Shanghai 23 Nov
    core.talk("tg-liu", local(22, 18), [Turn("嗯那个", "book_meal", 0.2, "utter_ask_meal", "您想订哪一天的饭？")],
              channel="telegram", resident_id=4)


@pytest.fixture()
def core(sessions, database_url) -> Core:
    return Core(database_url)


def listed(page_html: str) -> List[str]:
    return re.findall(r'<td><a href="/conversations/([^"#]+)">', page_html)


def test_the_list_filters_by_day_channel_resident_and_misunderstanding(core, admin) -> None:
    district(core)
    page = admin.get("/conversations")
    assert page.status_code == 200
    assert listed(page.text) == ["kiosk-zhang", "kiosk-li", "anon:web1", "tg-liu", "tg-wang"], "newest first"
    assert "张桂英" in page.text and "王建国" in page.text
    # A local day: 00:20 on the 23rd in Shanghai is still the 22nd in UTC.
    assert listed(admin.get("/conversations?day=2026-11-22").text) == ["tg-liu", "tg-wang"]
    assert listed(admin.get("/conversations?day=2026-11-23").text) == ["kiosk-zhang", "kiosk-li", "anon:web1"]
    assert listed(admin.get("/conversations?day=2026-11-21").text) == ["kiosk-li"], "active on the 21st and 23rd only"
    assert listed(admin.get("/conversations?channel=telegram").text) == ["tg-liu", "tg-wang"]
    assert listed(admin.get("/conversations?resident=王建").text) == ["tg-wang"]
    assert listed(admin.get("/conversations?resident=3").text) == ["kiosk-li"]
    # Fallback, core fallback after a confident intent, confidence below the 0.3 threshold.
    assert listed(admin.get("/conversations?missed=1").text) == ["kiosk-li", "tg-liu", "tg-wang"]
    assert listed(admin.get("/conversations?missed=1&channel=kiosk&resident=李").text) == ["kiosk-li"]
    assert listed(admin.get("/conversations?day=2026-11-20").text) == []
    bad = admin.get("/conversations?day=yesterday")
    assert bad.status_code == 200 and "日期的格式不对" in bad.text and len(listed(bad.text)) == 5


def test_the_list_has_pages_of_50(core, admin) -> None:
    for number in range(53):
        core.talk(f"kiosk-{number:02d}", local(22, 8) + number * 60, [HELLO], resident_id=1 + number % 6)
    first = admin.get("/conversations")
    assert len(listed(first.text)) == 50 and listed(first.text)[0] == "kiosk-52"
    assert 'href="/conversations?page=2"' in first.text
    second = admin.get("/conversations?page=2")
    assert listed(second.text) == ["kiosk-02", "kiosk-01", "kiosk-00"] and "下一页" not in second.text


def _events_after(sessions, event_id: int) -> int:
    with sessions() as session:
        return session.scalar(text("SELECT count(*) FROM events WHERE id > :id"), {"id": event_id})


def _summary(sessions, sender_id: str) -> ConversationSummary:
    with sessions() as session:
        return session.get(ConversationSummary, sender_id)


def test_the_refresh_reads_only_new_events(core, sessions) -> None:
    core.talk("kiosk-zhang", local(23, 7, 30), [MENU], resident_id=1)
    first = _events_after(sessions, 0)
    assert refresh_summaries(sessions) == first
    summary = _summary(sessions, "kiosk-zhang")
    assert (summary.user_turns, summary.not_understood, summary.resident_id, summary.channel) == (1, 0, 1, "kiosk")
    assert refresh_summaries(sessions) == 0, "nothing new: nothing read"

    with sessions() as session:
        cursor = session.get(SummaryCursor, 1).last_event_id
    # More of the same conversation (a core fallback) and a new one; read in batches of three, so the
    # fallback action and the user turn it belongs to fall into different batches.
    core.talk("kiosk-zhang", local(23, 7, 35), [Turn("给我孙子打个电话", "greet", 0.61, "action_fallback", "对不起")],
              resident_id=1, new_session=False)
    core.talk("tg-wang", local(23, 7, 40), [fallback("帮我把那个东西弄一下", "book_service", 0.22)],
              channel="telegram", resident_id=2)
    added = _events_after(sessions, cursor)
    assert refresh_summaries(sessions, batch=3) == added
    summary = _summary(sessions, "kiosk-zhang")
    assert (summary.user_turns, summary.not_understood, summary.last_text) == (2, 1, "给我孙子打个电话")
    assert summary.started_at < summary.last_at
    assert (_summary(sessions, "tg-wang").not_understood, _summary(sessions, "tg-wang").channel) == (1, "telegram")
    with sessions() as session:
        turns = {t.text: (t.predicted, round(t.confidence, 2), t.sender_id)
                 for t in session.scalars(select(NotUnderstoodTurn))}
        assert session.get(SummaryCursor, 1).last_event_id == session.scalar(text("SELECT max(id) FROM events"))
    assert turns == {"给我孙子打个电话": ("greet", 0.61, "kiosk-zhang"),
                     "帮我把那个东西弄一下": ("book_service", 0.22, "tg-wang")}
    assert refresh_summaries(sessions) == 0


@dataclass
class _Row:
    id: int
    timestamp: float


def test_the_cursor_stops_before_a_fresh_gap_in_ids() -> None:
    now = 1_000_000.0
    rows = [_Row(11, now - 500), _Row(12, now - 5), _Row(14, now - 4), _Row(15, now - 3)]
    assert [r.id for r in settled(rows, 10, now)] == [11, 12], "id 13 may still be committing"
    old = [_Row(11, now - 500), _Row(13, now - 400), _Row(14, now - 5)]
    assert [r.id for r in settled(old, 10, now)] == [11, 13, 14], "an old gap was a rollback"
    assert settled([_Row(12, now - 1)], 10, now) == []


def test_the_transcript_shows_turns_intents_and_replies_and_is_audited(core, admin, sessions) -> None:
    district(core)
    page = admin.get("/conversations/kiosk-zhang")
    assert page.status_code == 200
    for shown in ("明天中午吃什么", "ask_menu", "0.93", "action_answer_menu", "明天午餐有红烧肉", "thank", "0.97",
                  "day</code>=明天", "张桂英", "138****1234"):
        assert shown in page.text, shown
    assert "13800001234" not in page.text and "action_listen" not in page.text
    assert "channel</code> = kiosk" in page.text, "slot changes are shown"

    missed = admin.get("/conversations/tg-wang").text
    assert "nlu_fallback" in missed and "book_service</code> 0.22" in missed and "action_fallback" in missed
    assert "没听懂" in missed and "订餐 <code>/book_meal</code>" in missed, "buttons of the reply"
    core_fallback = admin.get("/conversations/kiosk-li").text
    assert core_fallback.count("新的一段对话") == 2 and 'class="turn turn-user missed"' in core_fallback

    with sessions() as session:
        audit = [(a.actor, a.target) for a in session.scalars(
            select(AuditLog).where(AuditLog.action == "viewed_transcript").order_by(AuditLog.id))]
    actor = staff_actor(sessions, "admin")
    assert audit == [(actor, "conversation:kiosk-zhang"), (actor, "conversation:tg-wang"),
                     (actor, "conversation:kiosk-li")]
    assert admin.get("/conversations/nobody-here").status_code == 404


def test_a_sender_id_with_any_characters_opens(core, admin) -> None:
    core.talk("telegram:5550001:r2", local(23, 7), [HELLO], channel="telegram", resident_id=2)
    core.talk("家 1", local(23, 7, 5), [THANKS])
    assert listed(admin.get("/conversations").text) == ["%E5%AE%B6%201", "telegram:5550001:r2"]
    assert "谢谢你" in admin.get("/conversations/%E5%AE%B6%201").text
    assert "王建国" in admin.get("/conversations/telegram:5550001:r2").text


def test_the_list_opens_before_rasa_ever_ran(admin) -> None:
    page = admin.get("/conversations")
    assert page.status_code == 200 and "没有符合条件的对话" in page.text
