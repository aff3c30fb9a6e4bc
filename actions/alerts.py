"""Emergencies and requests for a person: written down first, then announced."""
from __future__ import annotations

import datetime as dt
import logging
from typing import List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guarded import GuardedAction
from actions import runtime
from actions.audit import record
from actions.clock import local_now
from actions.db.models import Alert, HandoffRequest, Resident, utcnow
from actions.notify import AlertNotice, hub
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from actions.tracker_utils import resident_id

logger = logging.getLogger(__name__)

MAX_STORED_TEXT = 2000


def _channel(tracker: Tracker) -> str:
    return tracker.get_slot("channel") or "rest"


def family_alert_text(name: str, location: str, said: str, when: dt.datetime) -> str:
    """The message a relative's phone shows: who, where, what was said, when."""
    quoted = said if len(said) <= 200 else said[:200] + "…"
    return (f"【紧急求助】{name}在{location}求助（{when.hour}:{when.minute:02d}）。"
            f"说的是：“{quoted}”。社区工作人员已经收到，正在处理。")


def _raising_family_member(tracker: Tracker) -> Optional[int]:
    """The relative who raised the alert from their phone (they need not be told of it)."""
    if tracker.get_slot("actor_role") != "family":
        return None
    try:
        return int(tracker.get_slot("family_member_id"))
    except (TypeError, ValueError):
        return None


def raise_alert(tracker: Tracker) -> AlertNotice:
    """Write the alert row and return the notice to send (raises if the database fails)."""
    rid = resident_id(tracker)
    text = (tracker.latest_message.get("text") or "")[:MAX_STORED_TEXT]
    location = tracker.get_slot("location") or runtime.settings().kiosk_location
    now = local_now(runtime.settings())
    with runtime.sessions().begin() as session:
        resident = session.get(Resident, rid) if rid is not None else None
        alert = Alert(
            resident_id=resident.id if resident else None,
            sender_id=tracker.sender_id,
            channel=_channel(tracker),
            location=location,
            text=text,
            status="open",
            created_at=utcnow(),
        )
        session.add(alert)
        session.flush()
        raiser = _raising_family_member(tracker)
        family = tuple(fid for fid in linked_family_ids(session, resident.id) if fid != raiser) if resident else ()
        enqueue(session, [(f"family:{fid}", family_alert_text(resident.name, location, text, now))
                          for fid in family], "emergency", f"alert:{alert.id}")
        notice = AlertNotice(
            alert_id=alert.id,
            resident_id=alert.resident_id,
            resident_name=resident.name if resident else "未登记居民",
            text=text,
            channel=alert.channel,
            location=location,
            created_at=alert.created_at,
            family_member_ids=family,
        )
    record(actor=f"resident:{rid}" if rid else "anonymous", action="alert_raised",
           target=f"alert:{notice.alert_id}", detail=text)
    return notice


class ActionEmergency(GuardedAction):
    """Raises an alert for staff and family, then tells the user calmly what happens next."""

    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # An emergency ends whatever form was going on (rules expect it every time).
        events: List[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        try:
            notice = raise_alert(tracker)
        except Exception:
            logger.exception("could not record emergency for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_emergency_failed",
                                     community_phone=runtime.settings().community_phone)
            return events
        hub().alert_raised(notice)
        family_note = "也告诉了您的家人，" if notice.family_member_ids else ""
        dispatcher.utter_message(response="utter_emergency_raised", family_note=family_note)
        return events


def open_handoff(tracker: Tracker, reason: str) -> Optional[int]:
    """Record that this person wants a call back; returns the request id (None if it failed)."""
    rid = resident_id(tracker)
    try:
        with runtime.sessions().begin() as session:
            request = HandoffRequest(
                resident_id=rid if rid is not None and session.get(Resident, rid) else None,
                sender_id=tracker.sender_id,
                channel=_channel(tracker),
                reason=reason,
                last_text=(tracker.latest_message.get("text") or "")[:MAX_STORED_TEXT],
            )
            session.add(request)
            session.flush()
            return request.id
    except Exception:
        logger.exception("could not record handoff for %s", tracker.sender_id)
        return None


class ActionHumanHandoff(GuardedAction):
    """Gives the phone numbers and asks staff to call back."""

    def name(self) -> Text:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        open_handoff(tracker, reason="asked")
        settings = runtime.settings()
        dispatcher.utter_message(response="utter_handoff", community_phone=settings.community_phone,
                                 hotline=settings.hotline)
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
