"""Finding: the action server ran any custom action for anyone (a made-up tracker raised an alert with an
invented place, issued a link code, read another resident's bookings; GET /actions listed them all; a
text/plain POST from a foreign Origin fired actions blind). Now only the Rasa server's per-run token opens it."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from sqlalchemy import func, select

from actions.db.models import Alert, LinkCode
from bot.kernel.contract import ChannelMetadata
from bot.ops.launcher import ACTION_TOKEN_HEADER

pytestmark = pytest.mark.e2e


def made_up_call(action: str, sender: str) -> dict:
    """What the auditor posted: a tracker naming resident 1, said to be somewhere it is not."""
    return {
        "next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": sender, "slots": {"resident_id": "1", "actor_role": "resident", "kiosk_mode": "home",
                                                   "location": "假地址", "channel": "kiosk"},
                    "latest_message": {"text": "救命", "intent": {"name": "emergency"}}, "events": [],
                    "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None},
    }


def _counts(db) -> tuple:
    with db() as session:
        return (session.scalar(select(func.count(Alert.id))), session.scalar(select(func.count(LinkCode.id))))


@pytest.mark.parametrize("action", ["action_emergency", "action_family_link_code", "action_check_bookings"])
@pytest.mark.parametrize("headers,status", [
    ({}, 401),
    ({ACTION_TOKEN_HEADER: "guessed"}, 401),
    ({ACTION_TOKEN_HEADER: ""}, 401),
])
def test_a_made_up_tracker_without_the_token_runs_nothing(stack, db, action, headers, status) -> None:
    before = _counts(db)
    answer = requests.post(stack.actions_url + "/webhook", json=made_up_call(action, f"probe-{uuid.uuid4().hex[:6]}"),
                           headers=headers, timeout=30)
    assert answer.status_code == status
    assert "events" not in answer.text and "responses" not in answer.text
    assert _counts(db) == before


def test_listing_the_actions_and_health_need_the_token(stack) -> None:
    for path in ("/actions", "/health"):
        assert requests.get(stack.actions_url + path, timeout=10).status_code == 401
        assert requests.get(stack.actions_url + path, headers=stack.action_headers, timeout=10).status_code == 200


def test_a_browser_page_cannot_fire_actions_blind(stack, db) -> None:
    """text/plain needs no CORS preflight: refused with 415 even with the right token; any Origin: 403."""
    before = _counts(db)
    body = json.dumps(made_up_call("action_emergency", "probe-blind"))
    plain = requests.post(stack.actions_url + "/webhook", data=body, timeout=30,
                          headers={"Content-Type": "text/plain", "Origin": "http://evil.example"})
    assert plain.status_code == 403
    assert requests.post(stack.actions_url + "/webhook", data=body, timeout=30,
                         headers={**stack.action_headers, "Content-Type": "text/plain"}).status_code == 415
    assert requests.post(stack.actions_url + "/webhook", data=body, timeout=30, headers={
        **stack.action_headers, "Content-Type": "application/json", "Origin": "http://evil.example"}).status_code == 403
    assert "access-control-allow-origin" not in {k.lower() for k in plain.headers}
    assert _counts(db) == before


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"next_action": 3}', b'{"next_action": "x", "tracker": 1}',
                                  b"\xff\xfe"])
def test_malformed_calls_get_a_reason_and_no_traceback(stack, body) -> None:
    log = stack.logs[0]
    size = log.stat().st_size
    answer = requests.post(stack.actions_url + "/webhook", data=body, timeout=30,
                           headers={**stack.action_headers, "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]
    assert "Traceback" not in log.read_bytes()[size:].decode("utf-8", "replace")


def test_the_rasa_server_still_runs_actions(client, db) -> None:
    """The happy path: Rasa presents the token from the endpoints file it was started with."""
    home = ChannelMetadata(channel="kiosk", role="resident", resident_id=2, kiosk_mode="home", location="王家客厅")
    turn = client.send(f"kiosk-home-2-{uuid.uuid4().hex[:4]}", "我订了什么", home)
    assert turn.text and "出了点小问题" not in turn.text
