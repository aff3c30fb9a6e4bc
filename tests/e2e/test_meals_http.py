"""Booking, checking and cancelling meals in Chinese over HTTP, through the real Rasa server
and action server, on the frozen clock (Monday 2026-11-23 08:00)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from actions.db.models import MealBooking, MealSitting
from actions.meals.availability import MealChoice
from actions.meals.booking import MealRequest, book
from actions.meals.rules import load_rules
from bot.kernel.contract import ChannelMetadata
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.e2e


def kiosk(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home",
                           location="家里")


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _bookings(db, resident_id: int):
    with db() as session:
        return list(session.scalars(select(MealBooking).where(MealBooking.resident_id == resident_id)
                                    .order_by(MealBooking.id)))


def test_happy_path_one_question_at_a_time(client, db) -> None:
    sender, me = _sender("meal-happy"), kiosk(5)
    assert "哪一天" in client.send(sender, "我想订餐", me).text
    assert "订早饭、午饭，还是晚饭？" == client.send(sender, "明天", me).text
    assert "几份" in client.send(sender, "中午", me).text
    assert "送到家" in client.send(sender, "一份", me).text
    read_back = client.send(sender, "我自己去食堂吃", me)
    assert read_back.text == ("我念一下：订幸福里幸福食堂明天（11月24日，星期二）的午饭，一份，去食堂吃。"
                              "您这份有补贴，10元，一共10元。对吗？")
    assert [b.title for b in read_back.buttons] == ["对", "不对"]
    assert _bookings(db, 5) == []
    assert client.send(sender, "对", me).text.startswith("订好了！")
    [booking] = _bookings(db, 5)
    assert (booking.day, booking.meal_type, booking.quantity, booking.delivery, booking.price_total,
            booking.booked_by, booking.channel) == (TODAY + dt.timedelta(days=1), "午餐", 1, False, 10.0,
                                                    "resident:5", "kiosk")
    checked = client.send(sender, "我订了什么", me)
    assert checked.text == "您一共有1个预订：明天（11月24日，星期二）的午饭，一份，去食堂吃。"


def test_everything_at_once_and_a_retried_yes_books_once(client, db) -> None:
    sender, me = _sender("meal-once"), kiosk(2)
    read_back = client.send(sender, "帮我订后天两份晚饭送到家", me)
    assert read_back.text.startswith("我念一下：订幸福里幸福食堂后天（11月25日，星期三）的晚饭，两份，送到家。")
    first = client.send(sender, "对", me, message_id="retry-me-1")
    again = client.send(sender, "对", me, message_id="retry-me-1")
    assert first.text.startswith("订好了！") and again.replies == first.replies
    [booking] = _bookings(db, 2)
    assert (booking.quantity, booking.delivery, booking.message_id) == (2, True, "retry-me-1")


def test_correction_at_the_read_back(client, db) -> None:
    sender, me = _sender("meal-fix"), kiosk(6)
    client.send(sender, "订明天的晚饭一份送到家", me)
    fixed = client.send(sender, "不对，是大后天", me)
    assert fixed.text.startswith("我念一下：订幸福里幸福食堂大后天") or "11月26日" in fixed.text
    assert "晚饭，一份，送到家" in fixed.text
    client.send(sender, "对的", me)
    [booking] = _bookings(db, 6)
    assert (booking.day, booking.meal_type) == (TODAY + dt.timedelta(days=3), "晚餐")


def test_no_at_the_read_back_then_never_mind(client, db) -> None:
    sender, me = _sender("meal-no"), kiosk(3)
    client.send(sender, "订明天午饭一份去食堂吃", me)
    assert "您要改哪里" in client.send(sender, "不对", me).text
    assert "这次没有订" in client.send(sender, "算了", me).text
    assert _bookings(db, 3) == []


def test_full_canteen_offers_the_other_canteen(client, db) -> None:
    day = TODAY + dt.timedelta(days=4)  # Friday
    with db.begin() as session:
        session.add(MealSitting(canteen_id=1, day=day, meal_type="午餐", capacity=40, booked=40))
    sender, me = _sender("meal-full"), kiosk(1)
    full = client.send(sender, "订11月27号的午饭一份去食堂吃", me)
    assert "已经订满了" in full.text and "康乐苑" in full.text and "要订这个吗" in full.text
    assert [b.title for b in full.buttons][-1] == "不订了" and len(full.buttons) <= 3
    read_back = client.send(sender, "好", me)
    assert read_back.text.startswith("我念一下：订康乐苑助餐点11月27日")
    client.send(sender, "对", me)
    assert [b.canteen_id for b in _bookings(db, 1) if b.day == day] == [2]


def test_past_date_and_cutoff_are_explained(client, db) -> None:
    me = kiosk(4)
    past = client.send(_sender("meal-past"), "订昨天的午饭", me)
    assert "已经过去了" in past.text and "今天（11月23日，星期一）的午饭还可以订" in past.text
    late = client.send(_sender("meal-late"), "今天的早饭订一份", kiosk(5))
    assert "已经过了预订时间" in late.text and "前一天晚上8点" in late.text
    assert _bookings(db, 4) == []


def test_cancel_with_several_matches(client, db) -> None:
    rules = load_rules(PROJECT_ROOT / "data" / "meals.yml")
    days = [TODAY + dt.timedelta(days=8), TODAY + dt.timedelta(days=9)]
    for day in days:
        for meal in ("午餐", "晚餐"):
            choice = MealChoice(2, day, meal, 1, False)
            assert book(db, rules, MealRequest(3, choice, "resident:3"), NOW).ok
    sender, me = _sender("meal-cancel"), kiosk(3)
    options = client.send(sender, "把我订的饭取消了", me)
    assert options.text.startswith("有3个预订：第一个，12月1日，星期二的午饭")
    assert len(options.buttons) == 3
    assert "要取消12月1日，星期二的晚饭" in client.send(sender, "第二个", me).text
    assert "已经取消了" in client.send(sender, "对", me).text
    statuses = [(b.day, b.meal_type, b.status) for b in _bookings(db, 3)]
    assert statuses == [(days[0], "午餐", "booked"), (days[0], "晚餐", "cancelled"),
                        (days[1], "午餐", "booked"), (days[1], "晚餐", "booked")]


def test_family_member_books_for_their_parent(client, db) -> None:
    family = ChannelMetadata(channel="telegram", role="family", family_member_id=1, resident_id=1)
    sender = _sender("family-1")
    read_back = client.send(sender, "给我妈订后天的午饭，一份，送到家", family)
    assert read_back.text.startswith("我念一下：给张桂英订幸福里幸福食堂后天") and "张桂英这份免费" in read_back.text
    client.send(sender, "对", family)
    booking = next(b for b in _bookings(db, 1) if b.day == TODAY + dt.timedelta(days=2))
    assert (booking.booked_by, booking.channel, booking.delivery) == ("family:1", "telegram", True)


def test_not_linked_family_member_cannot_book(client, db) -> None:
    stranger = ChannelMetadata(channel="telegram", role="family", family_member_id=2, resident_id=1)
    sender = _sender("family-2")
    before = len(_bookings(db, 1))
    turn = client.send(sender, "给我妈订明天的午饭", stranger)
    # On Telegram a name and phone digits prove nothing: only a link code does.
    assert "绑定" in turn.text and "先确认您是谁" not in turn.text
    assert len(_bookings(db, 1)) == before
    client.send(sender, "我是张桂英，电话后四位1234", stranger)  # no identification form to answer
    assert len(_bookings(db, 1)) == before


def test_emergency_in_the_middle_of_a_booking(client, db) -> None:
    sender, me = _sender("meal-sos"), kiosk(6)
    client.send(sender, "我要订饭", me)
    turn = client.send(sender, "救命 我摔倒了", me)
    assert "120" in turn.text
    assert "哪一天" in client.send(sender, "订饭", me).text  # a fresh booking starts clean


def test_community_kiosk_asks_who_then_goes_on_with_the_booking(client, db) -> None:
    community = ChannelMetadata(channel="kiosk", role="anonymous", kiosk_mode="community")
    sender = _sender("community")
    turn = client.send(sender, "我要订饭", community)
    assert "先确认您是谁" in turn.text and "叫什么名字" in turn.text
    client.send(sender, "陈淑珍", community)
    client.send(sender, "一三五七", community)
    resumed = client.send(sender, "对", community)
    assert resumed.text == "陈奶奶，您好！我们接着订餐。\n您想订哪一天的？比如明天。"


def test_menu_question_over_http(client) -> None:
    turn = client.send(_sender("menu"), "今天有鱼吗", kiosk(1))
    assert turn.text.startswith("有。今天") or "没有鱼" in turn.text
    assert turn.buttons and turn.buttons[0].payload.startswith("/book_meal")


def test_nothing_is_written_for_an_unfinished_booking(client, db) -> None:
    with db() as session:
        before = session.scalar(select(func.count(MealBooking.id)))
    sender, me = _sender("meal-unfinished"), kiosk(5)
    client.send(sender, "订后天的晚饭", me)
    client.send(sender, "两份", me)
    with db() as session:
        assert session.scalar(select(func.count(MealBooking.id))) == before
