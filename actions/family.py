"""The senior asks at the kiosk for a code that links a son's or daughter's Telegram to them."""
from __future__ import annotations

import logging
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.guarded import GuardedAction
from actions.linking import issue_code
from actions.tracker_utils import resident_id

logger = logging.getLogger(__name__)

# A name and four digits at a shared kiosk are not enough to hand a relative the resident's notices.
NOT_AT_COMMUNITY_KIOSK = ("在社区的公用机器上不能生成家属绑定码。请在家里的小暖上说“生成家属绑定码”，"
                          "或者请社区工作人员帮您生成，电话{community_phone}。")


def spaced(code: str) -> str:
    """"382914" → "3 8 2 9 1 4": read digit by digit, and easy to copy from the screen."""
    return " ".join(code)


class ActionFamilyLinkCode(GuardedAction):
    """Issues a one-time code for the resident who is speaking; relatives cannot issue codes."""

    def name(self) -> Text:
        return "action_family_link_code"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        phone = runtime.settings().community_phone
        rid = resident_id(tracker)
        if tracker.get_slot("actor_role") != "resident" or rid is None:
            if tracker.get_slot("channel") == "telegram" and tracker.get_slot("actor_role") != "family":
                dispatcher.utter_message(response="utter_link_needed")
            else:
                dispatcher.utter_message(response="utter_link_code_not_for_family", community_phone=phone)
            return []
        if tracker.get_slot("kiosk_mode") != "home":
            logger.info("refused a link code for resident %s at a community kiosk", rid)
            dispatcher.utter_message(text=NOT_AT_COMMUNITY_KIOSK.format(community_phone=phone))
            return []
        try:
            with runtime.sessions().begin() as session:
                code = issue_code(session, rid, issued_by=f"resident:{rid}")
        except Exception:
            logger.exception("could not issue a link code for resident %s", rid)
            dispatcher.utter_message(response="utter_link_code_failed", community_phone=phone)
            return []
        dispatcher.utter_message(response="utter_link_code", code=spaced(code))
        return []
