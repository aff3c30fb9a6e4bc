"""A district with conversations old and new (written by Rasa's own SQLTrackerStore) and old records to keep.

The frozen clock says 2026-11-23 08:00 in Shanghai; with 180 days of retention the cut-off is
2026-05-27 08:00 local time.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Sequence
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from sqlalchemy import func, select, text

from actions.db.models import (
    Alert,
    AlertResponse,
    AuditLog,
    Base,
    Canteen,
    FamilyMember,
    HandoffRequest,
    MealBooking,
    Resident,
    ServiceBooking,
    ServiceSlot,
    ServiceType,
)
from tests.support.rasa_trackers import TrackerWriter

ZONE = ZoneInfo("Asia/Shanghai")
CONVERSATION_TABLES = {"conversation_summaries", "not_understood_turns", "summary_cursor"}


def local(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> float:
    """The epoch time of a Shanghai wall-clock time (what Rasa stores)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=ZONE).timestamp()


class Core(TrackerWriter):
    """Writes conversations the way the core does: through Rasa's SQLTrackerStore, into the test database."""

    def session(self, sender_id: str, start: float, texts: Sequence[str], channel: str = "kiosk",
                resident_id: Optional[int] = None, missed: Sequence[str] = ()) -> None:
        """A new session as Rasa records it (session_started is stamped before action_session_start), then turns.

        A text in `missed` falls back (nlu_fallback), so the console queues it as not understood.
        """
        metadata: Dict[str, Any] = {"channel": channel, "role": "resident" if resident_id else "anonymous"}
        if resident_id:
            metadata["resident_id"] = resident_id
        events: List[Event] = [ActionExecuted("action_session_start", timestamp=start + 0.01),
                               SessionStarted(timestamp=start), SlotSet("channel", channel, timestamp=start + 0.005),
                               ActionExecuted("action_listen", timestamp=start + 0.02)]
        for index, words in enumerate(texts):
            at = start + 1 + index * 20
            intent = {"name": "nlu_fallback", "confidence": 0.3} if words in missed else {"name": "greet",
                                                                                         "confidence": 0.95}
            ranking = [intent, {"name": "ask_menu", "confidence": 0.2}]
            events += [UserUttered(words, intent=intent, parse_data={"intent_ranking": ranking}, timestamp=at,
                                   input_channel="secure_rest", message_id=f"{sender_id}-{at}", metadata=metadata),
                       ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0, timestamp=at + 0.5),
                       BotUttered("您好，我是小暖。", timestamp=at + 0.6),
                       ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, timestamp=at + 0.7)]
        self.save(sender_id, events)


def district(core: Core) -> None:
    """Conversations on both sides of the cut-off (2026-05-27 08:00 local)."""
    # Nothing after the cut-off: deleted whole.
    core.session("kiosk-community-old", local(2026, 3, 10, 10), ["你好", "那个那个"], missed=["那个那个"])
    core.session("kiosk-community-edge", local(2026, 5, 27, 7, 40), ["你好", "谢谢"])
    # A home kiosk in use for months: an old session, one running across the cut-off, a recent one.
    core.session("kiosk-home-1", local(2026, 4, 1, 9), ["早上好", "嗯嗯啊"], resident_id=1, missed=["嗯嗯啊"])
    core.session("kiosk-home-1", local(2026, 5, 27, 7, 59, 30), ["你好", "吃什么", "谢谢"], resident_id=1)
    core.session("kiosk-home-1", local(2026, 11, 22, 15), ["明天吃什么", "乱七八糟"], resident_id=1,
                 missed=["乱七八糟"])
    # A relative's chat: a session in May that ended before the cut-off, and one last week.
    core.session("tg-100-2", local(2026, 5, 1, 20), ["帮我妈订饭"], channel="telegram", resident_id=2)
    core.session("tg-100-2", local(2026, 11, 20, 20), ["我妈订了什么"], channel="telegram", resident_id=2)
    # Only this morning: untouched.
    core.session("kiosk-community-new", local(2026, 11, 23, 7), ["你好", "听不懂的话"], missed=["听不懂的话"])


def old_records(sessions: Any) -> None:
    """Bookings, an alert with a relative's answer, a handoff request and audit entries, all from long ago."""
    old = dt.datetime(2026, 1, 5, 2, 0)
    with sessions.begin() as session:
        resident = session.scalars(select(Resident).order_by(Resident.id)).first()
        canteen = session.scalars(select(Canteen).order_by(Canteen.id)).first()
        service = session.scalars(select(ServiceType).order_by(ServiceType.id)).first()
        session.add(MealBooking(resident_id=resident.id, canteen_id=canteen.id, day=dt.date(2026, 1, 6),
                                meal_type="午餐", quantity=1, booked_by=f"resident:{resident.id}", channel="kiosk",
                                message_id="kiosk-community-old-1", created_at=old))
        slot = ServiceSlot(service_type_id=service.id, day=dt.date(2026, 1, 7), half_day="上午", capacity=3, booked=1)
        session.add(slot)
        session.flush()
        session.add(ServiceBooking(resident_id=resident.id, slot_id=slot.id, status="done",
                                   booked_by=f"resident:{resident.id}", created_at=old, updated_at=old))
        alert = Alert(resident_id=resident.id, sender_id="kiosk-community-old", channel="kiosk", text="救命",
                      status="resolved", created_at=old)
        session.add(alert)
        session.flush()
        family = session.scalars(select(FamilyMember).order_by(FamilyMember.id)).first()
        session.add(AlertResponse(alert_id=alert.id, family_member_id=family.id, response="on_my_way", created_at=old))
        session.add(HandoffRequest(resident_id=resident.id, sender_id="kiosk-community-old", channel="kiosk",
                                   reason="asked", last_text="转人工", created_at=old))
        session.add(AuditLog(actor="staff:1", action="viewed_transcript", target="conversation:kiosk-community-old",
                             created_at=old))


def row_counts(sessions: Any, tables: Optional[Sequence[str]] = None) -> Dict[str, int]:
    """Rows per application table (and Rasa's events)."""
    names = list(tables or [*Base.metadata.tables, "events"])
    with sessions() as session:
        return {name: session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def senders(sessions: Any) -> Dict[str, float]:
    """Each conversation in the events table with its first event's time."""
    with sessions() as session:
        return dict(session.execute(text("SELECT sender_id, min(timestamp) FROM events GROUP BY sender_id")).all())


def event_count(sessions: Any) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(text("events"))).scalar_one()


@pytest.fixture()
def core(sessions, database_url) -> Core:
    return Core(database_url)
