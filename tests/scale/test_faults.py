"""Faults survived by the two-server layout: the action server killed mid-conversation, and each
database stopped for a few seconds. Nothing crashes, nothing is half-written, the person is told
calmly, and the same words work once the part is back."""
from __future__ import annotations

import time
import uuid

import pytest
import requests
from sqlalchemy import func, select

from actions.db.models import MealBooking
from bot.core.rest_channel import NO_ANSWER
from bot.kernel.contract import HEALTH_PATH
from bot.kernel.core_client import CoreUnavailable
from tests.scale.test_replicas import kiosk, user_events

pytestmark = pytest.mark.e2e


def _count(scale_db, resident_id: int) -> int:
    with scale_db() as session:
        return session.scalar(select(func.count(MealBooking.id)).where(MealBooking.resident_id == resident_id))


def _all_up(replicas) -> bool:
    return all(requests.get(url + HEALTH_PATH, timeout=5).status_code == 200 for url in replicas.rasa_urls)


def test_action_server_killed_in_the_middle_of_a_booking(replicas, cores, scale_db) -> None:
    sender, me = f"killed-{uuid.uuid4().hex[:8]}", kiosk(3)
    assert cores[0].send(sender, "帮我订后天一份午饭，去食堂吃", me).text.startswith("我念一下：")
    replicas.processes[0].kill()
    replicas.processes[0].wait(10)
    try:
        calm = cores[1].send(sender, "对", me, message_id=f"{sender}-yes").text
        assert calm == NO_ANSWER.format(community_phone=replicas.settings.community_phone)
        assert _count(scale_db, 3) == 0
    finally:
        replicas.restart_actions()
    # The same words again (the kiosk retries with the same message id): now it is done, once.
    done = cores[0].send(sender, "对", me, message_id=f"{sender}-yes").text
    assert done.startswith("订好了！"), done
    assert _count(scale_db, 3) == 1
    assert cores[1].send(sender, "我订了什么", me).text.startswith("您一共有1个预订")
    assert _all_up(replicas)


def test_application_database_down_for_a_few_seconds(replicas, cores, scale_db, app_postgres) -> None:
    sender, me = f"appdb-{uuid.uuid4().hex[:8]}", kiosk(4)
    assert cores[0].send(sender, "帮我订后天一份晚饭送到家", me).text.startswith("我念一下：")
    app_postgres.pause()
    try:
        busy = cores[1].send(sender, "对", me, message_id=f"{sender}-1").text
        time.sleep(2)
    finally:
        app_postgres.resume()
    assert busy.startswith("对不起，系统暂时出了点问题，刚才的事还没有办成"), busy
    assert busy.count("对不起") == 1, "told once, not by every action of the turn"
    assert _count(scale_db, 4) == 0
    again = cores[0].send(sender, "对", me, message_id=f"{sender}-2").text
    assert again.startswith("订好了！"), again
    assert _count(scale_db, 4) == 1
    assert _all_up(replicas)


def test_conversation_database_down_for_a_few_seconds(replicas, cores, scale_db, postgres_server) -> None:
    sender, me = f"trackers-{uuid.uuid4().hex[:8]}", kiosk(6)
    assert cores[0].send(sender, "帮我订后天一份午饭，去食堂吃", me).text.startswith("我念一下：")
    postgres_server.pause()
    try:
        with pytest.raises(CoreUnavailable):  # the kiosk and Telegram then give the community phone
            cores[1].send(sender, "对", me, message_id=f"{sender}-yes")
        assert _all_up(replicas), "the servers stay up"
    finally:
        postgres_server.resume()
    assert _count(scale_db, 6) == 0
    done = cores[1].send(sender, "对", me, message_id=f"{sender}-yes").text
    assert done.startswith("订好了！"), done
    assert _count(scale_db, 6) == 1
    assert [m for _, m in user_events(replicas, sender)].count(f"{sender}-yes") == 1
