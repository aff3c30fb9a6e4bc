"""Who is asking for help, when an alert was raised by nobody identified (a lost man at a community
kiosk): the name and the phone number's last four digits, said in any order during the emergency, put
the alert on that resident's record, so staff see who it is and the linked family are told.

The same standard as the kiosk's identification (one resident with that name and phone tail) and the
same failed-attempt limits; the speaker hears only that the family will be told, nothing from the record."""
from __future__ import annotations

import datetime as dt
import re
from typing import List, Optional

from rasa_sdk import Tracker
from sqlalchemy import select

from actions import identify_limits, runtime
from actions.audit import record
from actions.db.models import Alert, Resident
from actions.outbox import enqueue
from actions.residents import clean_spoken_name, find_by_name, linked_family_ids, spoken_digits
from actions.safety.records import family_alert_text

_NAME_GIVEN = re.compile(r"(?:我叫|我是|俺叫|俺是|名字叫|我的名字是)([\u4e00-\u9fff]{2,4})")
RECENT_TURNS = 8  # the words of the emergency looked at for a name and digits
FOUND = "找到您的登记了，我们会告诉您的家人。"


def _recent_texts(tracker: Tracker) -> List[str]:
    texts = [str(event.get("text") or "") for event in tracker.events if event.get("event") == "user"]
    return texts[-RECENT_TURNS:]


def said_name(texts: List[str]) -> str:
    for text in reversed(texts):
        found = _NAME_GIVEN.search(re.sub(r"\s", "", text))
        if found:
            return clean_spoken_name(found.group(1))
    return ""


def said_phone_tail(texts: List[str]) -> str:
    for text in reversed(texts):
        digits = spoken_digits(text)
        if len(digits) >= 4:
            return digits[-4:]
    return ""


def identify_for_alert(tracker: Tracker, alert_id: int, local_time: dt.datetime) -> Optional[int]:
    """The resident now named and identified for this unidentified alert (their id), or None."""
    texts = _recent_texts(tracker)
    name, tail = said_name(texts), said_phone_tail(texts)
    if not name or not tail or not (said_name(texts[-1:]) or said_phone_tail(texts[-1:])):
        return None  # tried once, when the second of the two is said
    kiosk = identify_limits.kiosk_key(tracker.get_slot("location"))
    with runtime.sessions().begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.resident_id is not None:
            return None
        named = find_by_name(session, name)
        named_ids = [r.id for r in named]
        if identify_limits.locked(kiosk, named_ids):
            return None
        matches = [r for r in named if r.phone.endswith(tail)]
        if len(matches) != 1:
            failed = True
        else:
            failed = False
            resident: Resident = matches[0]
            others = session.scalars(select(Alert.id).where(
                Alert.resident_id == resident.id, Alert.status.in_(("open", "acknowledged")))).first()
            alert.resident_id = resident.id
            if others is None:  # the family hear of it once, however it was raised
                enqueue(session, [(f"family:{fid}", family_alert_text(resident.name, alert.location or "", alert.text,
                                                                       local_time))
                                  for fid in linked_family_ids(session, resident.id)], "emergency", f"alert:{alert.id}")
            rid = resident.id
    if failed:
        identify_limits.record_failure(kiosk, tracker.sender_id, "kiosk", named_ids)
        return None
    record(actor=f"sender:{tracker.sender_id}", action="alert_identified", target=f"alert:{alert_id}",
           detail=f"resident={rid}")
    return rid
