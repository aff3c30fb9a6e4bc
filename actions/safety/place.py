"""Where the person in danger is: the place staff go to."""
from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from actions import runtime
from actions.db.models import Resident
from actions.tracker_utils import resident_id

UNKNOWN = "位置不明（正在问）"
# A caller without the channel secret (a web page, any local process): what it claims is not a place.
UNVERIFIED = "未验证的网络来源"


def is_unknown(location: Optional[str]) -> bool:
    """Staff cannot go there yet: the person is asked where they are."""
    return location in (None, UNKNOWN, UNVERIFIED)


def place_to_write(tracker: Tracker, kind: str) -> str:
    """What the alert's place says at first: where to go, or why nobody knows yet."""
    place = alert_place(tracker, kind)
    if place:
        return place
    return UNVERIFIED if tracker.get_slot("location") == UNVERIFIED else UNKNOWN


def alert_place(tracker: Tracker, kind: str) -> Optional[str]:
    """At a home kiosk its own configured place or else the home address; the home address when a linked
    relative raises it; the kiosk's place in the community (never the community's default at a home); None
    when nobody can know (a phone, the web, someone lost): then the person is asked."""
    if kind == "lost":
        return None
    channel = tracker.get_slot("channel") or "rest"
    rid = resident_id(tracker)
    at_home = channel == "kiosk" and tracker.get_slot("kiosk_mode") == "home"
    by_relative = tracker.get_slot("actor_role") == "family"
    configured = tracker.get_slot("location")
    if at_home and configured and configured != runtime.settings().kiosk_location:
        return configured  # this home kiosk was told where it stands ("张家客厅")
    if rid is not None and (at_home or by_relative):
        with runtime.sessions()() as session:
            resident = session.get(Resident, rid)
            if resident is not None and resident.address:
                return resident.address
    if channel == "kiosk" and tracker.get_slot("kiosk_mode") != "home":
        return tracker.get_slot("location") or runtime.settings().kiosk_location
    return None
