"""Finding: alerts could be flooded: a scan through the webhook made 21 alerts and 21 family notices in 30 s.
Now each sender, and all callers without the channel secret together, are limited per minute (429)."""
from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import func, select

from actions.db.models import Alert
from bot.kernel.contract import WEBHOOK_PATH, ChannelMetadata
from tests.security.conftest import ANONYMOUS, PER_SENDER

pytestmark = pytest.mark.e2e


def test_one_sender_is_limited(stack, client) -> None:
    sender = f"kiosk-home-4-{uuid.uuid4().hex[:4]}"
    home = ChannelMetadata(channel="kiosk", role="resident", resident_id=4, kiosk_mode="home", location="家")
    body = {"sender": sender, "message": "你好", "metadata": home.as_dict()}
    headers = {"X-Xiaonuan-Secret": stack.settings.channel_secret}
    statuses = [requests.post(stack.rasa_url + WEBHOOK_PATH, json=body, headers=headers, timeout=60).status_code
                for _ in range(PER_SENDER + 2)]
    assert statuses.count(200) == PER_SENDER and statuses[-1] == 429
    other = client.send(f"kiosk-home-5-{uuid.uuid4().hex[:4]}", "你好", ChannelMetadata(
        channel="kiosk", role="resident", resident_id=5, kiosk_mode="home", location="家"))
    assert other.text, "another sender is not affected"


def test_a_scan_with_made_up_senders_raises_only_a_few_alerts(stack, db) -> None:
    with db() as session:
        before = session.scalar(select(func.count(Alert.id)))
    answers = [requests.post(stack.rasa_url + WEBHOOK_PATH, timeout=60, json={
        "sender": f"scan-{uuid.uuid4().hex[:8]}", "message": "120"}) for _ in range(ANONYMOUS + 3)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused and "稍等" in refused[0].json()[0]["text"], "a polite answer, in Chinese"
    with db() as session:
        raised = session.scalar(select(func.count(Alert.id))) - before
    assert raised <= ANONYMOUS
