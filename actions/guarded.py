"""Actions that stay calm when the database is unreachable or its disk is full.

Every action and form validator derives from `GuardedAction` / `GuardedFormValidation`. When
the database fails during `run` (connection refused, a restart, a full disk), the transaction
has rolled back, so nothing is half-written; the person hears that nothing was done and can
say it again, and the log names the cause in one clear line instead of a bare traceback.
"""
from __future__ import annotations

import logging
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from actions import runtime

logger = logging.getLogger(__name__)


FULL_BELOW_BYTES = 1024 * 1024


def _sqlite_free_bytes(database_url: str) -> Optional[int]:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    try:
        return shutil.disk_usage(Path(url.database).parent).free
    except OSError:
        return None


def database_problem(error: BaseException, database_url: str) -> str:
    """One line for the operator: what is wrong with the database (a full disk is named as such;
    SQLite in WAL mode reports it as a "disk I/O error")."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    free = _sqlite_free_bytes(database_url)
    if "full" in text or "No space left" in text or (free is not None and free < FULL_BELOW_BYTES):
        where = make_url(database_url).database
        return (f"the database disk is full ({text}; {free if free is not None else '?'} bytes free where {where} "
                "lies): free some space; nothing needs restarting")
    return f"the database is unavailable ({text}); the turn was not saved and can be said again"


BUSY = "utter_system_busy"


def _already_told(tracker: Tracker) -> bool:
    """This turn has already said that the system is busy (a form's validator, then its question)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == BUSY:
            return True
    return False


async def _guarded(action: Any, step: Callable[..., Any], dispatcher: CollectingDispatcher, tracker: Tracker,
                   domain: Dict[Text, Any], keeps_form: bool) -> List[EventType]:
    """Run one action's step; a database fault gets a calm answer (and a form asks its question again)."""
    try:
        return await step(dispatcher, tracker, domain)
    except (DBAPIError, PoolTimeout) as error:
        logger.error("%s in %s for %s", database_problem(error, runtime.settings().database_url), action.name(),
                     tracker.sender_id)
        if not _already_told(tracker):
            dispatcher.utter_message(response=BUSY, community_phone=runtime.settings().community_phone)
        return _ask_again(tracker) if keeps_form else []


def _ask_again(tracker: Tracker) -> List[EventType]:
    """Forget what this turn filled in, so the form asks the same question again; everything said
    before stays. The question being answered counts as "validated" (to nothing), or Rasa would
    reject the form and let another rule answer the words instead."""
    names = list(tracker.slots_to_validate())
    requested = tracker.get_slot("requested_slot")
    if requested and requested not in names:
        names.append(requested)
    return [SlotSet(name, None) for name in names]


# What the NLU safety net flags (bot/core/nlu_components.py) that can answer no question: an empty
# line or noise, and a message too long to be one answer. Said politely, and not counted as a
# wrong answer: the same question is asked again.
UNANSWERABLE = {"input:empty": "utter_input_empty", "input:too_long": "utter_input_too_long",
                "input:hesitation": "utter_input_hesitation"}


class GuardedAction(Action, ABC):
    """An action that answers calmly when the database fails (abstract: never registered itself).

    Subclasses write `act`; Rasa calls `run`, defined here, which calls `act` inside the guard.
    """

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        """What the action does (the guard around it is `run`)."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return await _guarded(self, self.act, dispatcher, tracker, domain, keeps_form=False)


class GuardedFormValidation(FormValidationAction, ABC):
    """A form validator whose slot checks answer calmly when the database fails (abstract).

    Its `run` (here) asks the same question again for a line that can answer nothing (empty, noise,
    too long, a pause) when `asks_unanswerable_again`, and otherwise runs Rasa's slot validation,
    inside the guard.
    """

    asks_unanswerable_again = True

    @abstractmethod
    def name(self) -> Text:
        """The validator's name in the domain (validate_<form>)."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return await _guarded(self, self._validate, dispatcher, tracker, domain, keeps_form=True)

    async def _validate(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: Dict[Text, Any]) -> List[EventType]:
        problem = UNANSWERABLE.get(str((tracker.latest_message or {}).get("safety_net") or ""))
        if self.asks_unanswerable_again and problem is not None and tracker.get_slot("requested_slot"):
            dispatcher.utter_message(response=problem)
            return _ask_again(tracker)
        return await FormValidationAction.run(self, dispatcher, tracker, domain)
