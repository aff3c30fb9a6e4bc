"""One conversation's messages sent alternately to two Rasa servers: it stays one conversation
(slots, bookings), and no message is processed twice, even when sent to both at once."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select, text

from actions.db.models import MealBooking
from bot.kernel.contract import ChannelMetadata
from tests.conftest import TODAY

pytestmark = pytest.mark.e2e


def kiosk(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home",
                           location="家里")


def user_events(replicas, sender: str) -> list:
    """(text, message_id) of every user message the shared tracker store holds for `sender`."""
    engine = create_engine(replicas.settings.trackers_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                                           "ORDER BY id"), {"s": sender}).scalars().all()
    finally:
        engine.dispose()
    return [(json.loads(row)["text"], json.loads(row).get("message_id")) for row in rows]


def bookings(scale_db, resident_id: int) -> list:
    with scale_db() as session:
        return list(session.scalars(select(MealBooking).where(MealBooking.resident_id == resident_id)))


def test_alternating_servers_keep_one_conversation(replicas, cores, scale_db) -> None:
    sender, me = f"replica-{uuid.uuid4().hex[:8]}", kiosk(5)
    said = ["我想订餐", "明天", "中午", "一份", "我自己去食堂吃", "对"]
    answers = [cores[i % 2].send(sender, words, me, message_id=f"{sender}-{i}").text for i, words in enumerate(said)]
    assert "哪一天" in answers[0]
    assert answers[1] == "订早饭、午饭，还是晚饭？"  # the other server knew the date question was asked
    assert "几份" in answers[2] and "送到家" in answers[3]
    assert answers[4].startswith("我念一下：订幸福里幸福食堂明天（11月24日，星期二）的午饭，一份，去食堂吃。")
    assert answers[5].startswith("订好了！")
    [booking] = bookings(scale_db, 5)
    assert (booking.day, booking.meal_type, booking.quantity) == (TODAY + dt.timedelta(days=1), "午餐", 1)
    assert user_events(replicas, sender) == [(w, f"{sender}-{i}") for i, w in enumerate(said)]
    checked = cores[0].send(sender, "我订了什么", me).text
    assert checked == cores[1].send(sender, "我订了什么", me).text
    assert "明天（11月24日，星期二）的午饭" in checked


def test_the_same_message_sent_to_both_servers_at_once_is_processed_once(replicas, cores, scale_db) -> None:
    sender, me = f"twice-{uuid.uuid4().hex[:8]}", kiosk(2)
    read_back = cores[0].send(sender, "帮我订后天两份晚饭送到家", me).text
    assert read_back.startswith("我念一下：")
    message_id = f"{sender}-yes"
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda core: core.send(sender, "对", me, message_id=message_id), cores)
    assert first.text.startswith("订好了！") and second.replies == first.replies
    assert len(bookings(scale_db, 2)) == 1
    assert [m for _, m in user_events(replicas, sender)].count(message_id) == 1


def test_many_conversations_at_once_across_both_servers(replicas, cores) -> None:
    senders = [f"many-{n}-{uuid.uuid4().hex[:6]}" for n in range(12)]

    def talk(n: int) -> list:
        sender = senders[n]
        return [cores[(n + i) % 2].send(sender, words, kiosk(1 + n % 6), message_id=f"{sender}-{i}").text
                for i, words in enumerate(["你好", "明天中午吃什么", "谢谢你"])]

    with ThreadPoolExecutor(6) as pool:
        conversations = list(pool.map(talk, range(len(senders))))
    for sender, answers in zip(senders, conversations):
        assert all(answers) and "明天" in answers[1] and "午饭" in answers[1], answers
        assert [t for t, _ in user_events(replicas, sender)] == ["你好", "明天中午吃什么", "谢谢你"]
