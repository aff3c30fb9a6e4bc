"""Emergencies and requests for a person: written down first, then announced, then stayed with."""
from __future__ import annotations

import datetime as dt
import logging
from typing import List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import runtime
from actions.db.models import HandoffRequest, Resident
from actions.guarded import GuardedAction
from actions.safety.place import is_unknown, place_to_write
from actions.safety.records import MAX_STORED_TEXT, Raised, family_alert_text, raise_or_join  # noqa: F401
from actions.safety.responses import ADVICE, BURN, BURN_ADVICE
from actions.safety.status import NOTHING_ON_RECORD, asks_about_alert, only_wondering, tell_status
from actions.safety.words import has_no_words, has_phone_number, is_reported, kind_of
from actions.tracker_utils import resident_id
from bot.kernel.clock import local_now, utcnow
from bot.kernel.words.task_cues import danger_in

logger = logging.getLogger(__name__)


def _channel(tracker: Tracker) -> str:
    return tracker.get_slot("channel") or "rest"


def _raising_family_member(tracker: Tracker) -> Optional[int]:
    """The relative who raised the alert from their phone (they need not be told of it)."""
    if tracker.get_slot("actor_role") != "family":
        return None
    try:
        return int(tracker.get_slot("family_member_id"))
    except (TypeError, ValueError):
        return None


def raise_alert(tracker: Tracker, text: Optional[str] = None) -> Raised:
    """Write the alert (or join the open one) for these words; raises if the database fails."""
    said = text if text is not None else (tracker.latest_message.get("text") or "")
    kind = kind_of(said) or "help"
    return raise_or_join(resident_id(tracker), tracker.sender_id, _channel(tracker), said, kind,
                         place_to_write(tracker, kind), local_now(runtime.settings()), _raising_family_member(tracker))


def announce(raised: Raised, channel: str) -> None:
    """A new alert in the log, by ids only (no names, numbers or words: staff read those on the console).

    This is not how anybody is told: `raise_or_join` has already written the alert row, which the staff
    console's desk shows within seconds and the escalation ladder watches, and the family notices in the
    outbox, which the outbox worker delivers. A repeat only adds to the alert staff already see."""
    if raised.is_new:
        logger.warning("ALERT %s resident=%s channel=%s family_notices=%d", raised.alert_id, raised.resident_id,
                       channel, len(raised.family_member_ids))


def first_answer(dispatcher: CollectingDispatcher, raised: Raised) -> None:
    """The first advice for this danger, then who was told (or, for a repeat, that staff were pressed again)."""
    settings = runtime.settings()
    advice = ADVICE.get(raised.kind, ADVICE["help"])
    if raised.kind == "medical" and BURN.search(raised.text or ""):
        advice = BURN_ADVICE  # a scald: cool water first, not "sit down"
    dispatcher.utter_message(response=advice, crisis_line=settings.crisis_line)
    if raised.is_new:
        family_note = "，也告诉了您的家人" if raised.family_member_ids else ""
        dispatcher.utter_message(response="utter_alert_told_staff", family_note=family_note)
    else:
        dispatcher.utter_message(response="utter_alert_joined_acknowledged" if raised.acknowledged
                                 else "utter_alert_joined")


def talk_slots(raised: Raised, stage: str) -> List[EventType]:
    """Slots that keep the conversation on this alert (the emergency form reads them)."""
    return [SlotSet("alert_id", str(raised.alert_id)), SlotSet("alert_kind", raised.kind),
            SlotSet("alert_stage", stage), SlotSet("alert_turns", 0.0), SlotSet("alert_talk", True)]


class ActionEmergency(GuardedAction):
    """Raises (or joins) an alert with advice for that danger, then stays in the conversation.

    Reported speech, hypotheticals and games are asked about first ("您自己没事吧？"); a relative's
    worried question gets the alert's status. Everything else raises the alert at once.
    """

    def name(self) -> Text:
        return "action_emergency"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # An emergency ends whatever form was going on (rules expect it every time).
        events: List[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        text = tracker.latest_message.get("text") or ""
        net = str(tracker.latest_message.get("safety_net") or "")
        if tracker.get_slot("actor_role") == "family" and (asks_about_alert(text) or only_wondering(text)):
            rid = resident_id(tracker)
            if rid is not None and tell_status(dispatcher, tracker, rid):
                return events + [SlotSet("alert_talk", False)]
            if rid is not None and only_wondering(text):
                # "群里有人说看见救护车了，是不是我爸出事了": a worry, not a report; nothing on record, so
                # staff are asked to look in on the parent (a call-back request on the desk), not alarmed.
                open_handoff(tracker, reason="relative_worried")
                dispatcher.utter_message(text=NOTHING_ON_RECORD.format(
                    name=tracker.get_slot("resident_name") or "老人", phone=runtime.settings().community_phone))
                return events + [SlotSet("alert_talk", False)]
        # No emergency word, only the classifier, and a phone number in the words ("座机010-66881234找我"),
        # no Chinese words at all ("*0"), or no word of danger at all ("吃了冇", "我出去遛弯了"): unsure,
        # so ask first, like reported speech; any sign of trouble in the answer raises the alert.
        guessed = not net.startswith("emergency:") and not danger_in(text) and not kind_of(text)  # "我出去遛弯了"
        unsure = not net.startswith("emergency:") and (has_phone_number(text) or has_no_words(text) or guessed)
        if tracker.get_slot("actor_role") != "family" and (is_reported(text) or unsure):
            return events + [SlotSet("alert_pending", text[:MAX_STORED_TEXT]), SlotSet("alert_stage", "check"),
                             SlotSet("alert_id", None), SlotSet("alert_turns", 0.0), SlotSet("alert_talk", True)]
        try:
            raised = raise_alert(tracker)
        except Exception:
            logger.exception("could not record emergency for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_emergency_failed",
                                     community_phone=runtime.settings().community_phone)
            return events + [SlotSet("alert_talk", False)]
        announce(raised, _channel(tracker))
        first_answer(dispatcher, raised)
        stage = "place" if is_unknown(raised.location) else "open"
        return events + talk_slots(raised, stage)


class ActionCheckDanger(ActionEmergency):
    """Danger told about, not happening to the speaker (the safety net's `report_danger`).

    A resident is asked "您自己没事吧？" and the emergency form raises the alert at any sign of trouble;
    a relative's worry gets the alert's status; anything else raises the alert as action_emergency
    would (the same checks run here, so words the net misread are never left without help).
    """

    def name(self) -> Text:
        return "action_check_danger"


WAITING = dt.timedelta(hours=2)  # a call-back asked for this recently and still open is the one they wait for


def waiting_handoff(session: Session, sender_id: str) -> Optional[int]:
    """The call-back this conversation asked for lately that staff have not closed yet, if any."""
    return session.scalars(select(HandoffRequest.id).where(
        HandoffRequest.sender_id == sender_id, HandoffRequest.status == "open",
        HandoffRequest.created_at >= utcnow() - WAITING).order_by(HandoffRequest.id.desc()).limit(1)).first()


def open_handoff(tracker: Tracker, reason: str) -> Optional[int]:
    """Record that this person wants a call back; returns the request id (None if it failed).
    Asked again while the first is still waiting ("多久能有人给我回话"), the first one stands: no second row."""
    rid = resident_id(tracker)
    try:
        with runtime.sessions().begin() as session:
            waiting = waiting_handoff(session, tracker.sender_id)
            if waiting is not None:
                return waiting
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

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        with runtime.sessions()() as session:
            waiting = waiting_handoff(session, tracker.sender_id)
        if waiting is None:
            open_handoff(tracker, reason="asked")
        settings = runtime.settings()
        dispatcher.utter_message(response="utter_handoff_waiting" if waiting is not None else "utter_handoff",
                                 community_phone=settings.community_phone, hotline=settings.hotline)
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
