"""The Rasa compatibility patches (bot/core/rasa_compat.py): written for the installed Rasa, and right."""
from __future__ import annotations

import asyncio

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.core import rasa_compat


def test_the_patches_name_the_installed_rasa_version() -> None:
    import rasa

    assert rasa.__version__ == rasa_compat.RASA_VERSION, (
        "Rasa was upgraded: read bot/core/rasa_compat.py's patches against the new Rasa and update them")


@pytest.mark.parametrize("patch", sorted(rasa_compat.PATCHED_SOURCES))
def test_the_patched_rasa_functions_are_the_ones_the_patch_was_written_for(patch: str) -> None:
    # Fails when an upgrade changes a function a patch replaces or relies on: read the new code,
    # then update the patch and its hashes (rasa_compat.source_hash) or drop the patch.
    assert rasa_compat.changed_sources(patch) == []


def test_apply_is_idempotent_and_replaces_the_validator_and_the_session() -> None:
    rasa_compat.apply()
    validate, session = RemoteAction._validate_action_result, EndpointConfig.session
    rasa_compat.apply()
    assert RemoteAction._validate_action_result is validate and validate.__module__ == rasa_compat.__name__
    assert session is EndpointConfig.session and session.__module__ == rasa_compat.__name__


GOOD_ANSWERS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "resident_id", "value": "r1", "timestamp": None}],
     "responses": [{"text": "好的"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_greet"}]},
]
BAD_ANSWERS = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [3]},
    {"events": [{"event": "slot"}]},  # a slot event without its name
]


@pytest.mark.parametrize("answer", GOOD_ANSWERS + BAD_ANSWERS)
def test_the_validator_built_once_judges_every_answer_as_jsonschema_validate_does(answer: dict) -> None:
    rasa_compat.apply()
    action = RemoteAction("action_anything", None)
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    if expected is None:
        assert action._validate_action_result(answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(answer)
        assert raised.value.message.startswith(expected)
        assert "Failed to validate Action server response" in raised.value.message


def test_action_calls_share_one_http_session_and_connection() -> None:
    rasa_compat.apply()
    peers = []

    async def answer(request: web.Request) -> web.Response:
        peers.append((request.transport.get_extra_info("peername"), request.headers.get("X-Token"),
                      await request.json()))
        return web.json_response({"events": [], "responses": []})

    async def scenario() -> None:
        app = web.Application()
        app.router.add_post("/webhook", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Token": "t"})
        try:
            for number in range(3):
                assert await endpoint.request(json={"n": number}, method="post") == {"events": [], "responses": []}
        finally:
            await rasa_compat.close_sessions()
            await runner.cleanup()

    asyncio.run(scenario())
    assert [body["n"] for _, _, body in peers] == [0, 1, 2]
    assert {token for _, token, _ in peers} == {"t"}  # the endpoint's headers still go with every call
    assert len({peer for peer, _, _ in peers}) == 1  # one kept-alive connection, not one per call


def _session(sender: str, turns: int, form: str = ""):  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.support.rasa_trackers import rasa_domain

    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for _ in range(turns):
        events += [UserUttered("你好", {"name": "greet", "confidence": 1.0}), ActionExecuted("utter_greet"),
                   BotUttered("您好"), ActionExecuted("action_listen")]
    if form:
        events.append(ActiveLoop(form))
    return DialogueStateTracker.from_events(sender, events, rasa_domain().slots)


@pytest.mark.parametrize("sender, turns, form, ends", [
    ("kiosk-7", 3, "", False),  # a short session carries on
    ("kiosk-7", 60, "", True),  # a named person's long session ends at the next message
    ("kiosk-7", 60, "meal_booking_form", False),  # never in the middle of a form
    ("anon:kiosk-community", 60, "", False),  # a community kiosk's identification lives in its session
])
def test_a_long_session_of_a_named_person_ends_at_the_next_message(sender: str, turns: int, form: str,
                                                                    ends: bool) -> None:
    from types import SimpleNamespace

    from rasa.core.processor import MessageProcessor

    from tests.support.rasa_trackers import rasa_domain

    rasa_compat.apply()
    processor = SimpleNamespace(domain=rasa_domain())
    tracker = _session(sender, turns, form)
    assert (len(tracker.events) >= rasa_compat.MAX_SESSION_EVENTS) == (turns == 60)
    assert MessageProcessor._has_session_expired(processor, tracker) is ends
