"""Small fixes to Rasa 3.6.21 for speed, applied in our Rasa server process only.

Each patch names the Rasa function it replaces, the Rasa version it was written against, and
why; `tests/unit/bot/core/test_rasa_compat.py` fails when an upgrade changes the patched
function (a hash of its source), so whoever upgrades Rasa reads the new code and decides
whether the patch is still right. `apply()` is idempotent and called by `bot.core.rasa_server`
(which starts `rasa run`) and by the REST channel (which every Rasa server loads), so a
server started by hand gets the patches too.

1. `RemoteAction._validate_action_result` (Rasa 3.6.21): calls `jsonschema.validate`, which
   checks Rasa's event schema against the JSON-Schema meta-schema and builds a new validator
   on every action call: about half of a turn's CPU under load (issue 20). The schema is a
   constant, so the validator is built and checked once; the result and the error (with
   Rasa's added hint) are the same.
2. `EndpointConfig.session` (Rasa 3.6.21): a new aiohttp session (and TCP connection) for
   every request to the action server. The session is kept per event loop and endpoint
   settings and reused; `request` still enters it with `async with`, which no longer closes it.
3. `MessageProcessor._has_session_expired` (Rasa 3.6.21): a session ends only after an idle hour
   (domain/session.yml), so a home kiosk's conversation that never rests an hour grows without
   limit, and every turn's prediction and action call (which sends the whole session) grows with
   it. A session of a named person (not an `anon:` sender: a community kiosk's identification
   lives in its session) with `MAX_SESSION_EVENTS` events or more also ends when the next message
   arrives, outside any form; the new session takes the person's identity from the channel's
   metadata, as after an idle hour. Every event stays in the tracker store (staff console,
   retention).
4. `rasa.core.run.load_agent_on_start` (Rasa 3.6.21): the server answers its health check as
   soon as the model is loaded, and the first person's turn then pays for the pipeline's first
   run (TensorFlow's first call of the sentence encoder, Jieba, the featurizers: over a second).
   After loading, a few sentences go through the NLU pipeline before the server listens.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Tuple

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"

# sha256 of inspect.getsource of each Rasa function a patch replaces or relies on, in Rasa 3.6.21.
# `apply()` skips a patch whose functions changed (and logs it); the test fails on any change.
PATCHED_SOURCES = {
    "validator": {
        "rasa.core.actions.action:RemoteAction._validate_action_result":
            "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
        "rasa.core.actions.action:RemoteAction.action_response_format_spec":
            "091b74aa3738d1262cf3c028386aaf9dd4f0d5c1374b62392411d70a79104a46",
    },
    "bounded_sessions": {
        "rasa.core.processor:MessageProcessor._has_session_expired":
            "aa0e659a9cfa1f70616523da75045bd87d4424a03432726722c7dc80a9869200",
        "rasa.core.processor:MessageProcessor._update_tracker_session":
            "b0d44217b5ca28ba5b5702ac4f37315d00f9e3e8f5e720ecff3ef727c0d05331",
    },
    "warm_up": {
        "rasa.core.run:load_agent_on_start":
            "b23e12447febeb64dfe0e78f545c37affae1059858280485b1094707a2704214",
        "rasa.core.run:serve_application":
            "fa80588d9e008b67948290d1da64c97fbab5a1a8069b880c18cc3c8399ef9c2b",
    },
    "session": {
        "rasa.utils.endpoints:EndpointConfig.session":
            "e55aa13d9d4fb4bc440ac33b870a97ee162b76dda7ccb6bf68433567475fdffb",
        "rasa.utils.endpoints:EndpointConfig.request":
            "ccdb778aed8208e23cde3c3f47eac7fbbbb735dac8f7ef7254d54451c64ad608",
    },
}


def source_hash(target: str) -> str:
    """sha256 of the source of `module:Class.attribute` as installed now."""
    import hashlib
    import importlib
    import inspect

    module_name, path = target.split(":")
    value: Any = importlib.import_module(module_name)
    for part in path.split("."):
        value = inspect.getattr_static(value, part) if isinstance(value, type) else getattr(value, part)
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    return hashlib.sha256(inspect.getsource(value).encode()).hexdigest()


def changed_sources(patch: str) -> list:
    """The functions of `patch` whose installed source differs from the one the patch was written for."""
    return [target for target, expected in PATCHED_SOURCES[patch].items() if source_hash(target) != expected]


_applied = False

MAX_SESSION_EVENTS = 200  # about 25 turns; Rasa's cost per turn grows with the session's events
ANONYMOUS_PREFIX = "anon:"  # the REST channel's senders nobody named (bot/core/rest_channel.py)


def session_too_long(tracker: Any) -> bool:
    """A named person's session long enough to end at this message (outside a form)."""
    return (len(tracker.events) >= MAX_SESSION_EVENTS and tracker.active_loop_name is None
            and not str(tracker.sender_id).startswith(ANONYMOUS_PREFIX))


def _patch_bounded_sessions() -> None:
    from rasa.core.processor import MessageProcessor

    idle_expiry = MessageProcessor._has_session_expired

    def _has_session_expired(self: MessageProcessor, tracker: Any) -> bool:
        if idle_expiry(self, tracker):
            return True
        if not self.domain.session_config.are_sessions_enabled() or not session_too_long(tracker):
            return False
        logger.debug("conversation %s: a new session after %d events", tracker.sender_id, len(tracker.events))
        return True

    MessageProcessor._has_session_expired = _has_session_expired


def _action_result_validator() -> Any:
    """The validator of Rasa's action-server answer schema, built once (the schema is a constant)."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does on every call
    return cls(schema)


def _patch_validator() -> None:
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validator = _action_result_validator()

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))  # what jsonschema.validate raises
        if error is not None:
            error.message += (". Failed to validate Action server response from API, make sure your response "
                              "from the Action endpoint is valid. For more information about the format visit "
                              f"{DOCS_BASE_URL}/custom-actions")
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result


class _KeptSession:
    """`async with` on a pooled session: enters it and leaves it open for the next request."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


_sessions: Dict[Tuple[int, Any], Any] = {}


def _session_key(config: Any) -> Tuple:
    auth = tuple(sorted((config.basic_auth or {}).items()))
    return (tuple(sorted((config.headers or {}).items())), auth)


def _patch_session() -> None:
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    def session(self: EndpointConfig) -> Any:
        loop = asyncio.get_running_loop()
        key = (id(loop), _session_key(self))
        pooled: Optional[aiohttp.ClientSession] = _sessions.get(key)
        if pooled is None or pooled.closed or getattr(pooled, "_xn_loop", None) is not loop:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            pooled = aiohttp.ClientSession(headers=self.headers, auth=auth,
                                           timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
            pooled._xn_loop = loop  # type: ignore[attr-defined]
            _sessions[key] = pooled
        return _KeptSession(pooled)

    EndpointConfig.session = session


async def close_sessions() -> None:
    """Close the pooled sessions of the running loop (at server stop)."""
    loop = asyncio.get_running_loop()
    for key in [key for key in _sessions if key[0] == id(loop)]:
        await _sessions.pop(key).close()


WARM_UP_SENTENCES = ("你好", "明天中午吃什么，帮我订一份午饭送到家里来")


async def warm_up(agent: Any) -> None:
    """Run the NLU pipeline on a few sentences (nothing is stored), logging instead of failing."""
    try:
        for sentence in WARM_UP_SENTENCES:
            await agent.parse_message(sentence)
    except Exception:  # the first person's turn warms it then; never stop the server for this
        logger.exception("the NLU warm-up failed")


def _patch_warm_up() -> None:
    import rasa.core.run

    load = rasa.core.run.load_agent_on_start

    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        if agent is not None and agent.is_ready():
            await warm_up(agent)
        return agent

    rasa.core.run.load_agent_on_start = load_agent_on_start


def apply() -> None:
    """Apply every patch once; a patch whose Rasa functions changed is left out (and logged)."""
    global _applied
    if _applied:
        return
    _applied = True
    for name, patch in (("validator", _patch_validator), ("session", _patch_session),
                        ("bounded_sessions", _patch_bounded_sessions), ("warm_up", _patch_warm_up)):
        changed = changed_sources(name)
        if changed:
            logger.warning("Rasa compatibility patch %r left out: written for Rasa %s, and %s changed",
                           name, RASA_VERSION, ", ".join(changed))
            continue
        patch()
    logger.debug("Rasa %s compatibility patches applied", RASA_VERSION)
