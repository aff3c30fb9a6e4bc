"""On a frozen clock: the kiosk asks at the time, once more, never a third time; no answer → one alert;
a silent home in daytime → one alert per silence, never at night; any word resets the silence."""
from __future__ import annotations

import datetime as dt
from typing import List
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import UserUttered
from sqlalchemy import select

from actions.checkin.plan import set_plan
from actions.checkin.rounds import checkin_round, inactivity_round
from actions.checkin.store import record_answer, record_try
from actions.db.models import Alert, Checkin, InactivityAlert, OutboxMessage
from bot.kernel.settings import Settings
from bot.workers.care import CareWorker
from tests.support.rasa_trackers import TrackerWriter
from voice.checkin_timer import CHECK_IN_PAYLOAD, CheckinTimer

pytestmark = pytest.mark.both_databases
ZONE = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 23)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=ZONE).astimezone(dt.timezone.utc).replace(tzinfo=None)


class Home:
    """A home kiosk's conversation in Rasa's tracker store, and a clock the test moves."""

    def __init__(self, database_url: str, resident_id: int = 1) -> None:
        self.writer = TrackerWriter(database_url)
        self.resident_id = resident_id
        self.now = at(8, 0)

    def says(self, local: dt.datetime, text: str = "你好", intent: str = "greet") -> None:
        stamp = local.replace(tzinfo=ZONE).timestamp()
        self.writer.save(f"kiosk-home-{self.resident_id}",
                         [UserUttered(text, intent={"name": intent, "confidence": 1.0}, timestamp=stamp)])


@pytest.fixture()
def settings(sessions, database_url) -> Settings:
    return Settings().with_overrides(database_url=database_url, kiosk_mode="home", kiosk_resident_id=1)


@pytest.fixture()
def home(sessions, database_url) -> Home:
    return Home(database_url)


def timer(settings: Settings, sessions, home: Home) -> CheckinTimer:
    return CheckinTimer(settings, sessions, clock=lambda: home.now, look_every_s=0)


def asked(sessions, home: Home) -> None:
    """What action_daily_check_in writes when the core gets the kiosk's payload."""
    home.says(home.now, CHECK_IN_PAYLOAD, "daily_check_in")
    with sessions.begin() as session:
        record_try(session, home.resident_id, home.now.date(), utc(home.now))


def alerts(sessions, kind: str) -> List[Alert]:
    with sessions() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind)))


def family_notices(sessions, kind: str) -> List[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_asked_at_the_time_once_then_once_more_then_staff_and_family_told(sessions, settings, home) -> None:
    kiosk = timer(settings, sessions, home)
    home.now = at(8, 59)
    assert kiosk.due() is None  # 独居: on by default, at 09:00
    home.now = at(9, 0)
    assert kiosk.due() == CHECK_IN_PAYLOAD
    asked(sessions, home)
    for minute in (1, 5, 9):
        home.now = at(9, minute)
        assert kiosk.due() is None and checkin_round(sessions, home.now, settings) == []
    home.now = at(9, 10)
    assert kiosk.due() == CHECK_IN_PAYLOAD  # the gentle second try
    asked(sessions, home)
    home.now = at(9, 19)
    assert checkin_round(sessions, home.now, settings) == []
    home.now = at(9, 20)
    assert kiosk.due() is None  # never a third time
    [alert_id] = checkin_round(sessions, home.now, settings)
    for minute in (21, 40):
        home.now = at(9, minute)
        assert kiosk.due() is None and checkin_round(sessions, home.now, settings) == []
    [alert] = alerts(sessions, "check_in")
    assert alert.id == alert_id and alert.status == "open" and alert.location == "幸福里小区3号楼2单元101"
    assert "问了两次" in alert.text
    [notice] = family_notices(sessions, "check_in")
    assert notice.text.startswith("【每日问候没回答】张桂英今天09:00的问候问了两次")
    with sessions() as session:
        row = session.scalars(select(Checkin)).one()
    assert row.tries == 2 and row.escalated_at is not None and row.alert_id == alert_id


def test_an_answer_or_any_word_after_the_question_ends_it(sessions, settings, home) -> None:
    kiosk = timer(settings, sessions, home)
    home.now = at(9, 0)
    assert kiosk.due() == CHECK_IN_PAYLOAD
    asked(sessions, home)
    home.says(at(9, 3), "我想订明天的午饭", "book_meal")  # not the answer asked for, but someone is there
    home.now = at(9, 10)
    assert kiosk.due() is None
    home.now = at(9, 30)
    assert checkin_round(sessions, home.now, settings) == [] and alerts(sessions, "check_in") == []


def test_answered_through_the_action_ends_it_too(sessions, settings, home) -> None:
    home.now = at(9, 0)
    asked(sessions, home)
    with sessions.begin() as session:
        record_answer(session, 1, DAY, "挺好的", "ok", utc(at(9, 1)))
    home.now = at(9, 30)
    assert timer(settings, sessions, home).due() is None and checkin_round(sessions, home.now, settings) == []


def test_only_when_switched_on_and_at_the_chosen_time(sessions, settings, home) -> None:
    other = settings.with_overrides(kiosk_resident_id=2)  # 李 does not live alone: off until staff switch it on
    home.now = at(9, 0)
    assert timer(other, sessions, home).due() is None
    with sessions.begin() as session:
        set_plan(session, 2, True, "10:30", "staff:1", utc(home.now))
        set_plan(session, 1, False, "09:00", "staff:1", utc(home.now))
    assert timer(settings, sessions, home).due() is None
    assert timer(other, sessions, home).due() is None
    home.now = at(10, 30)
    assert timer(other, sessions, home).due() == CHECK_IN_PAYLOAD
    home.now = at(20, 30)  # never asked at night, even when the time was missed
    with sessions.begin() as session:
        set_plan(session, 1, True, "09:00", "staff:1", utc(home.now))
    assert timer(settings, sessions, home).due() is None


def test_a_silent_home_in_daytime_raises_one_alert_per_silence(sessions, settings, home) -> None:
    home.says(at(8, 30))
    home.says(at(9, 0), CHECK_IN_PAYLOAD, "daily_check_in")  # the kiosk asking is not the resident speaking
    assert inactivity_round(sessions, at(14, 29), settings) == []
    [alert_id] = inactivity_round(sessions, at(14, 30), settings)
    assert inactivity_round(sessions, at(15, 0), settings) == []  # never twice for the same silence
    [alert] = alerts(sessions, "inactive")
    assert alert.id == alert_id and "08:30起6小时" in alert.text
    [notice] = family_notices(sessions, "inactive")
    assert "从08:30到14:30没有听到老人说话" in notice.text
    home.says(at(15, 10), "我没事，刚才睡着了", "inform")  # a word resets the silence
    assert inactivity_round(sessions, at(20, 0), settings) == []
    assert len(alerts(sessions, "inactive")) == 1


def test_night_never_alerts_and_does_not_count(sessions, settings, home) -> None:
    home.says(at(19, 0))
    assert inactivity_round(sessions, at(23, 30), settings) == []
    next_day = DAY + dt.timedelta(days=1)
    assert inactivity_round(sessions, at(7, 59, next_day), settings) == []
    assert inactivity_round(sessions, at(13, 59, next_day), settings) == []  # 08:00 + 6 h of daytime
    assert len(inactivity_round(sessions, at(14, 0, next_day), settings)) == 1


def test_off_at_zero_hours_and_nothing_without_a_home_kiosk(sessions, settings, home) -> None:
    assert inactivity_round(sessions, at(19, 0), settings) == []  # no home kiosk has spoken yet
    home.says(at(8, 0))
    assert inactivity_round(sessions, at(19, 0), settings.with_overrides(inactivity_hours=0)) == []
    assert len(CareWorker(settings, sessions).run_once()) == 0  # the worker's clock is the settings' (08:00)
    with sessions() as session:
        assert session.scalars(select(InactivityAlert)).first() is None
