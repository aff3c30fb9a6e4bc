"""One conversation's transcript, read from Rasa's events: user turns, actions, replies, slot changes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, text
from sqlalchemy.orm import sessionmaker

from actions.db.models import Resident
from bot.staff import rasa_events
from bot.staff.masking import mask_phone

LIMIT = 1000  # newest events shown; a kiosk's sender id can live for months
HIDDEN_ACTIONS = {"action_listen"}  # "waiting for the next message": shown by the next user turn
_EVENTS_OF = text("SELECT id, type_name, timestamp, action_name, data FROM events"
                  " WHERE sender_id = :sender ORDER BY id DESC LIMIT :limit")


@dataclass
class Item:
    kind: str  # user / bot / action / slot / session
    event_id: int
    at: dt.datetime  # local time
    text: str = ""
    intent: str = ""
    confidence: float = 0.0
    predicted: str = ""
    predicted_confidence: float = 0.0
    entities: List[Tuple[str, str]] = field(default_factory=list)
    buttons: List[Tuple[str, str]] = field(default_factory=list)
    name: str = ""  # action or slot name
    value: str = ""  # slot value
    missed: bool = False


@dataclass
class Transcript:
    sender_id: str
    items: List[Item]
    truncated: bool
    channel: str = ""
    resident_id: Optional[int] = None
    resident_name: str = ""
    resident_phone: str = ""  # masked


def _local(timestamp: Optional[float], zone: ZoneInfo) -> dt.datetime:
    moment = dt.datetime.fromtimestamp(timestamp or 0.0, zone)
    return moment.replace(tzinfo=None)


def _short(value: object, limit: int = 80) -> str:
    shown = "（空）" if value is None or value == "" else str(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def load_transcript(sessions: sessionmaker, sender_id: str, timezone: str = "Asia/Shanghai",
                    limit: int = LIMIT) -> Optional[Transcript]:
    """The transcript, or None when no event of this sender is stored."""
    zone = ZoneInfo(timezone)
    settings = rasa_events.nlu_settings()
    with sessions() as session:
        if not inspect(session.connection()).has_table("events"):
            return None
        rows = list(session.execute(_EVENTS_OF, {"sender": sender_id, "limit": limit + 1}))
        if not rows:
            return None
        page = Transcript(sender_id, [], truncated=len(rows) > limit)
        last_user: Optional[Item] = None
        for row in reversed(rows[:limit]):
            at, data = _local(row.timestamp, zone), rasa_events.load(row.data)
            if row.type_name == "user":
                turn = rasa_events.user_turn(data)
                last_user = Item("user", row.id, at, text=turn.text, intent=turn.intent, confidence=turn.confidence,
                                 predicted=turn.predicted, predicted_confidence=turn.predicted_confidence,
                                 entities=[(str(e.get("entity", "")), _short(e.get("value"))) for e in turn.entities],
                                 missed=turn.fallback or turn.low_confidence(settings.threshold))
                page.items.append(last_user)
                page.channel = str(turn.metadata.get("channel") or page.channel)
                page.resident_id = rasa_events.resident_id_of(turn.metadata.get("resident_id")) or page.resident_id
            elif row.type_name == "bot":
                buttons = (data.get("data") or {}).get("buttons") or []
                page.items.append(Item("bot", row.id, at, text=data.get("text") or "（非文字消息）",
                                       buttons=[(str(b.get("title", "")), str(b.get("payload", "")))
                                                for b in buttons if isinstance(b, dict)]))
            elif row.type_name == "action" and row.action_name not in HIDDEN_ACTIONS:
                if row.action_name in settings.fallback_actions and last_user is not None:
                    last_user.missed = True
                page.items.append(Item("action", row.id, at, name=row.action_name or ""))
            elif row.type_name == "slot":
                name = str(data.get("name", ""))
                page.items.append(Item("slot", row.id, at, name=name, value=_short(data.get("value"))))
                if data.get("name") == "resident_id":
                    page.resident_id = rasa_events.resident_id_of(data.get("value")) or page.resident_id
                elif data.get("name") == "channel" and data.get("value"):
                    page.channel = str(data["value"])
            elif row.type_name == "session_started":
                page.items.append(Item("session", row.id, at))
        if page.resident_id is not None:
            resident = session.get(Resident, page.resident_id)
            if resident is not None:
                page.resident_name, page.resident_phone = resident.name, mask_phone(resident.phone)
        return page
