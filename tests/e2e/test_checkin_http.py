"""The daily check-in through the real Rasa and action servers: the kiosk's own "/daily_check_in" is asked by
name, a fine and a low answer are each recorded, and a low one offers help in one question."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from actions.db.models import Alert, Checkin
from bot.kernel.contract import ChannelMetadata

pytestmark = pytest.mark.e2e


def _home(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home")


def _checkin(db, resident_id: int) -> Checkin:
    with db() as session:
        return session.scalars(select(Checkin).where(Checkin.resident_id == resident_id)).one()


def test_a_check_in_answered_fine(client, db) -> None:
    sender = f"kiosk-home-3-{uuid.uuid4().hex[:6]}"
    asked = client.send(sender, "/daily_check_in", _home(3))
    assert "今天身体怎么样" in asked.text and asked.text.count("？") == 1
    assert _checkin(db, 3).tries == 1
    answer = client.send(sender, "挺好的，早上还下楼走了一圈", _home(3))
    assert "那就好" in answer.text
    row = _checkin(db, 3)
    assert row.mood == "ok" and row.answered_at is not None


def test_a_check_in_answered_low_offers_help_and_raises_nothing(client, db) -> None:
    sender = f"kiosk-home-6-{uuid.uuid4().hex[:6]}"
    with db() as session:
        alerts_before = len(session.scalars(select(Alert.id).where(Alert.resident_id == 6)).all())
    client.send(sender, "/daily_check_in", _home(6))
    answer = client.send(sender, "不太好，昨晚上没睡好", _home(6))
    assert "担心" in answer.text and answer.text.count("？") == 1
    assert "请医生上门看看" in [button.title for reply in answer.replies for button in reply.buttons]
    assert _checkin(db, 6).mood == "low"
    with db() as session:
        assert len(session.scalars(select(Alert.id).where(Alert.resident_id == 6)).all()) == alerts_before
