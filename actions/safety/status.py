"""A relative asking about an alert hears where it stands, not a new alarm."""
from __future__ import annotations

import re
from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.safety.records import latest_status
from bot.kernel.clock import local_now, to_local, utc_now

_ASKING = re.compile(r"怎么样了|怎样了|咋样了|怎么回事|有人去|有人管|处理了|处理得|处理好|到了吗|去了吗|没事吧|情况|"
                     r"还好吗|好点了吗|刚才|求助.*(吗|？|\?)|(吗|呢|么)[？?]?$|[？?]$")
# A relative wondering whether something happened (not reporting that it did): "群里有人说…是不是我爸出事了".
_WONDERING = re.compile(r"是不是|会不会|有人说|听说|群里|不知道.{0,4}(是不是|怎么|出)")
_URGENT = re.compile(r"救命|快来|快去|马上|赶紧|快点|快叫|快打")
# A relative's worried question when nothing is on record: no alarm, a way to find out.
NOTHING_ON_RECORD = ("没有查到{name}最近的求助记录。我已经请社区工作人员联系老人，去家里看看；"
                     "您也可以打社区电话{phone}。")


def only_wondering(text: Optional[str]) -> bool:
    """A relative's worry about whether something happened, with nothing urgent asked for."""
    return bool(_WONDERING.search(text or "")) and not _URGENT.search(text or "")


def asks_about_alert(text: Optional[str]) -> bool:
    """A relative's question about what happened, as opposed to reporting a new emergency."""
    return bool(_ASKING.search(text or ""))


def _staff_name(by: Optional[str]) -> str:
    if not by:
        return "工作人员"
    return "工作人员" + (by.split(" ", 1)[1] if " " in by else "")


def tell_status(dispatcher: CollectingDispatcher, tracker: Tracker, resident_id: int) -> bool:
    """Say the latest alert's status; False when there is none to tell of (then it is a new emergency)."""
    settings = runtime.settings()
    status = latest_status(resident_id, utc_now(settings))
    if status is None:
        return False
    name = tracker.get_slot("resident_name") or "老人"
    raised = to_local(settings, status.created_at)
    when = f"{raised.hour}:{raised.minute:02d}"
    last_note = next((line for line in reversed(status.note.splitlines()) if line.strip()), "")
    note = re.sub(r"^\[[^\]]*\]\s*", "", last_note)
    if status.outcome == "false_alarm":
        dispatcher.utter_message(response="utter_alert_status_false_alarm", resident_name=name, when=when)
    elif status.status == "resolved":
        dispatcher.utter_message(response="utter_alert_status_resolved", resident_name=name, when=when,
                                 note=note or "没有写备注")
    elif status.status == "acknowledged":
        acked = to_local(settings, status.acknowledged_at)
        dispatcher.utter_message(response="utter_alert_status_acknowledged", resident_name=name, when=when,
                                 staff=_staff_name(status.acknowledged_by),
                                 acked=f"{acked.hour}:{acked.minute:02d}" if acked else when,
                                 note=f"备注：{note}。" if note else "")
    else:
        waited = max(0, int((local_now(settings) - raised).total_seconds() // 60))
        dispatcher.utter_message(response="utter_alert_status_open", resident_name=name, when=when,
                                 minutes=str(waited))
    return True
