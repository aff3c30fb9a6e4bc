"""The scam guard: a calm, clear warning for the frauds that target old people, an offer to call the
family, a record on the staff desk (its own kind, "scam") and one short notice to linked relatives."""
from __future__ import annotations

import logging
import re
from typing import Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import runtime
from actions.audit import record
from actions.db.models import Alert, AlertWord, Resident
from actions.guarded import GuardedAction
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from actions.safety.records import utcnow
from actions.tracker_utils import resident_id
from bot.kernel.contract import button
from bot.kernel.words.scam import match_scam

logger = logging.getLogger(__name__)
MAX_TEXT = 2000

# Two short sentences each: what not to do, then whom to ask.
WARNINGS: Dict[str, str] = {
    "call": "先别转账，也别把验证码告诉任何人，这多半是骗子。挂掉电话，自己给家里人打个电话问清楚，拿不准就打110。",
    "door": "先别开门，也别给钱。燃气、水电上门都会提前通知，可以打公司电话或者社区电话问，拿不准就打110。",
    "product": "白送东西的讲座，多半是为了卖保健品。别买药，也别交钱，吃药要听医生的。",
}
AGAIN = "声音再像也先别信，骗子会装。挂掉以后，自己给家里人打电话问一问，别转账，别开门。"
FAMILY_NOTICE = "【防骗提醒】{name}刚才说：“{said}”。小暖已经提醒{them}别转账、别开门。请您给{them}打个电话。"
WELL_DONE = "您做得对，就这样。以后再有人这样找您，也先问问家里人或者社区。"
# "我没给他开门", "电话我挂了", "一分钱也没转": the safe thing done.
_DID_THE_SAFE_THING = re.compile(r"没(有)?(给|开|转|汇|打|说|告诉|买|交|理|信|去)|挂(了|掉|断)|不理|不开|不买|不信|不给|不转")
# "我就去领个鸡蛋", "去听听也没啥": still going to the sales talk.
_STILL_GOING = re.compile(r"去|领|听听|看看|拿")
_NOT_GOING = re.compile(r"不去|没去|别去|不领|不听")
STILL_GOING = "还是别去了。白送的鸡蛋是为了拉您去听，去几回就劝您买药、交钱。别买，也别交钱，吃药听医生的。"
OFFERS = [button("让家人给我打电话", "ask_family_call"), button("找工作人员", "human_handoff")]


def _open_scam_alert(session, rid: Optional[int], sender: str) -> Optional[Alert]:  # type: ignore[no-untyped-def]
    query = select(Alert).where(Alert.kind == "scam", Alert.status.in_(("open", "acknowledged")))
    query = query.where(Alert.resident_id == rid) if rid is not None else query.where(Alert.sender_id == sender)
    return session.scalars(query.order_by(Alert.id.desc()).limit(1)).first()


def record_scam(tracker: Tracker, said: str) -> Tuple[bool, str]:
    """The scam on the staff desk (one open record per resident; more words join it) and, the first time,
    a notice to each linked relative. Whether it is new, and the words that first told of it."""
    rid = resident_id(tracker)
    with runtime.sessions().begin() as session:
        resident = session.get(Resident, rid) if rid is not None else None
        existing = _open_scam_alert(session, resident.id if resident else None, tracker.sender_id)
        if existing is not None:
            existing.repeats = (existing.repeats or 1) + 1
            session.add(AlertWord(alert_id=existing.id, text=said[:MAX_TEXT], kind="scam", said_at=utcnow()))
            return False, existing.text or ""
        alert = Alert(resident_id=resident.id if resident else None, sender_id=tracker.sender_id,
                      channel=tracker.get_slot("channel") or "rest", location=tracker.get_slot("location") or "",
                      text=said[:MAX_TEXT], status="open", kind="scam", repeats=1, created_at=utcnow())
        session.add(alert)
        session.flush()
        if resident is not None:
            them = "她" if resident.gender == "女" else "他"
            quoted = said if len(said) <= 80 else said[:80] + "…"
            notice = FAMILY_NOTICE.format(name=resident.name, said=quoted, them=them)
            enqueue(session, [(f"family:{fid}", notice) for fid in linked_family_ids(session, resident.id)],
                    "scam", f"scam:{alert.id}")
        alert_id = alert.id
    record(f"resident:{rid}" if rid is not None else "anonymous", "scam_warned", f"alert:{alert_id}")
    logger.warning("SCAM warning alert=%s resident=%s", alert_id, rid)
    return True, said


class ActionScamWarning(GuardedAction):
    """A fraud told of: the warning for its kind, the offer to call family, staff and family told."""

    def name(self) -> Text:
        return "action_scam_warning"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        said = tracker.latest_message.get("text") or ""
        kind = match_scam(said)
        try:
            new, first = record_scam(tracker, said)
        except Exception:
            logger.exception("could not record a scam warning for %s", tracker.sender_id)
            new, first = False, ""
        if not new and match_scam(first) == "product" and _STILL_GOING.search(said) and not _NOT_GOING.search(said):
            dispatcher.utter_message(text=STILL_GOING)  # "我就去领个鸡蛋，啥也不买": not safe yet
            return []
        if not new:
            if _DID_THE_SAFE_THING.search(said) and not kind:
                dispatcher.utter_message(text=WELL_DONE)
                return []
            dispatcher.utter_message(text=AGAIN, buttons=OFFERS)  # more of the same story: no second lecture
            return []
        dispatcher.utter_message(text=WARNINGS[kind or "call"] + "社区工作人员也知道了。", buttons=OFFERS)
        return []
