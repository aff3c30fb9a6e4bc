"""The daily check-in left unanswered, and a silent home, through the real servers: the kiosk's words go
to the Rasa server and its tracker store as in `make run`, and the rounds `make run` starts read them."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.checkin.activity import home_sender, last_interactions
from actions.checkin.plan import set_plan
from actions.checkin.rounds import checkin_round, inactivity_round
from actions.db.models import Alert, Checkin, OutboxMessage
from bot.kernel.clock import to_local
from bot.kernel.contract import ChannelMetadata
from tests.conftest import NOW

pytestmark = pytest.mark.e2e


def _home(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home")


def _alerts(sessions, kind: str) -> list:
    with sessions() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind)))


def test_a_check_in_asked_twice_without_an_answer_reaches_staff_and_family(care_stack, care_client,
                                                                         care_database) -> None:
    sessions, settings = care_database[1], care_stack.settings
    with sessions.begin() as session:
        set_plan(session, 1, True, "08:00", "staff:1", NOW)
    first = care_client.send(home_sender(1), "/daily_check_in", _home(1))
    assert "今天身体怎么样" in first.text
    # No word from the resident: the kiosk asks again ten minutes later, then nothing.
    assert checkin_round(sessions, NOW + dt.timedelta(minutes=5), settings) == []
    again = care_client.send(home_sender(1), "/daily_check_in", _home(1))
    assert "您在家吗" in again.text
    with sessions() as session:
        assert session.scalars(select(Checkin).where(Checkin.resident_id == 1)).one().tries == 2
    raised = checkin_round(sessions, NOW + dt.timedelta(minutes=25), settings)
    assert len(raised) == 1 and checkin_round(sessions, NOW + dt.timedelta(minutes=40), settings) == []
    [alert] = _alerts(sessions, "check_in")
    assert alert.resident_id == 1 and alert.status == "open"
    with sessions() as session:
        told = session.scalars(select(OutboxMessage).where(OutboxMessage.text.like("【每日问候没回答】%"))).all()
    assert told and all("张桂英" in notice.text for notice in told)


def test_a_silent_home_in_daytime_reaches_staff_once_never_at_night(care_stack, care_client, care_database) -> None:
    sessions, settings = care_database[1], care_stack.settings
    said = care_client.send(home_sender(3), "我出去买菜了", _home(3))
    assert _alerts(sessions, "help") == [] and "工作人员" not in said.text  # going out is no emergency
    last = last_interactions(sessions, [3])[3]  # what Rasa stored: the real time the words were said
    next_day = to_local(settings, last).date() + dt.timedelta(days=1)
    night = dt.datetime.combine(next_day, dt.time(23, 0))
    evening = dt.datetime.combine(next_day, dt.time(19, 0))
    assert inactivity_round(sessions, night, settings) == []
    raised = inactivity_round(sessions, evening, settings)
    mine = [a for a in _alerts(sessions, "inactive") if a.id in raised and a.resident_id == 3]
    assert len(mine) == 1
    assert not [i for i in inactivity_round(sessions, evening + dt.timedelta(hours=1), settings) if i == mine[0].id]
    assert [a.resident_id for a in _alerts(sessions, "inactive")].count(3) == 1  # once per silence
