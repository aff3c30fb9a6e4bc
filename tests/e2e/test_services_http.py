"""Home services in Chinese over HTTP through the real Rasa server and action server,
on the frozen clock (Monday 2026-11-23 08:00)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from actions.db.models import OutboxMessage, ServiceBooking, ServiceSlot, ServiceType
from actions.outbox import deliver_pending
from actions.services.booking import ServiceRequest, book_service
from actions.services.catalogue import load_catalogue
from actions.services.lifecycle import change_status
from actions.services.slots import ServiceChoice
from bot.kernel.contract import ChannelMetadata
from bot.kernel.settings import PROJECT_ROOT
from bot.workers.outbox import default_receivers
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.e2e
CATALOGUE = PROJECT_ROOT / "data" / "services.yml"


def kiosk(resident_id: int) -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=resident_id, kiosk_mode="home")


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _visits(db, resident_id: int):
    with db() as session:
        return list(session.scalars(select(ServiceBooking).options(selectinload(ServiceBooking.slot))
                                    .where(ServiceBooking.resident_id == resident_id).order_by(ServiceBooking.id)))


def test_happy_path_with_a_helper_from_the_pool(client, db) -> None:
    sender, me = _sender("svc-happy"), kiosk(5)
    assert "什么服务" in client.send(sender, "我要约上门服务", me).text
    assert "哪天" in client.send(sender, "家里该搞卫生了", me).text
    assert "上午来，还是下午来" in client.send(sender, "明天", me).text
    read_back = client.send(sender, "下午三点", me)
    assert read_back.text.startswith("我念一下：约助洁，明天（11月24日，星期二）下午3点。")
    done = client.send(sender, "对", me)
    assert "会上门" in done.text and done.text.startswith("约好了！助洁")
    [visit] = _visits(db, 5)
    assert (visit.status, visit.slot.day, visit.slot.half_day, visit.time_note) == \
        ("confirmed", TODAY + dt.timedelta(days=1), "下午", "下午3点")
    assert "助洁" in client.send(sender, "我约了什么", me).text


def test_full_slot_offers_the_two_nearest(client, db) -> None:
    thursday = TODAY + dt.timedelta(days=3)
    with db.begin() as session:
        bathing = session.scalar(select(ServiceType.id).where(ServiceType.code == "bathing"))
        session.add(ServiceSlot(service_type_id=bathing, day=thursday, half_day="下午", capacity=2, booked=2))
    sender, me = _sender("svc-full"), kiosk(2)
    full = client.send(sender, "大后天下午来帮我洗澡", me)
    assert "已经约满了" in full.text and "最近有空的是" in full.text
    assert len(full.buttons) == 3 and full.buttons[-1].title == "不约了"
    read_back = client.send(sender, "好", me)
    assert read_back.text.startswith("我念一下：约助浴，")
    client.send(sender, "对", me)
    [visit] = _visits(db, 2)
    assert (visit.slot.day, visit.slot.half_day) != (thursday, "下午")


def test_correction_keeps_the_special_request(client, db) -> None:
    sender, me = _sender("svc-fix"), kiosk(6)
    client.send(sender, "明天上午找人来修水管，带上梯子", me)
    fixed = client.send(sender, "不对，是后天下午", me)
    assert fixed.text.startswith("我念一下：约维修，后天（11月25日，星期三）下午，带上梯子。")
    client.send(sender, "对", me)
    [visit] = _visits(db, 6)
    assert (visit.slot.half_day, visit.note) == ("下午", "带上梯子")


def test_cancel_a_visit(client, db) -> None:
    saturday = TODAY + dt.timedelta(days=5)
    request = ServiceRequest(3, ServiceChoice("haircut", saturday, "上午"), "resident:3")
    visit = book_service(db, load_catalogue(CATALOGUE), request, NOW).booking_id
    sender, me = _sender("svc-cancel"), kiosk(3)
    confirm = client.send(sender, "理发不约了，取消吧", me)
    assert confirm.text.startswith("要取消11月28日，星期六上午的理发")
    assert "已经取消了" in client.send(sender, "对", me).text
    with db() as session:
        booking = session.get(ServiceBooking, visit)
        assert booking.status == "cancelled"
        assert (booking.changes[-1].actor, booking.changes[-1].reason) == ("resident:3", "本人取消")


def test_family_member_books_for_a_disabled_parent(client, db) -> None:
    family = ChannelMetadata(channel="telegram", role="family", family_member_id=3, resident_id=4)
    sender = _sender("svc-family")
    read_back = client.send(sender, "给我爷爷约后天上午洗澡", family)
    assert read_back.text.startswith("我念一下：给刘德明约助浴，后天") and "减20元" in read_back.text
    done = client.send(sender, "对", family)
    assert "刘德明是失能老人，还可以申请长期护理保险" in done.text
    [visit] = _visits(db, 4)
    assert (visit.booked_by, visit.channel) == ("family:3", "telegram")
    with db() as session:
        told = session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.key.like(f"service:{visit.id}:%")))
        assert list(told) == ["resident:4"]


def test_nursing_asks_for_an_assessment(client, db) -> None:
    turn = client.send(_sender("svc-nursing"), "想请护士上门换药", kiosk(1))
    assert "要先做一次能力评估" in turn.text
    with db() as session:
        nursing = session.scalars(select(ServiceBooking.id).join(ServiceSlot).join(ServiceType)
                                  .where(ServiceType.code == "nursing")).all()
    assert nursing == []


def test_staff_confirmation_is_told_at_the_next_conversation(client, db) -> None:
    catalogue = load_catalogue(CATALOGUE)
    friday = TODAY + dt.timedelta(days=4)
    request = ServiceRequest(1, ServiceChoice("escort", friday, "上午"), "resident:1")
    visit = book_service(db, catalogue, request, NOW).booking_id
    change_status(db, catalogue, visit, "confirmed", "staff:1", helper="周师傅")
    deliver_pending(db, default_receivers(db))
    greeting = client.send(_sender("svc-news"), "你好", kiosk(1))
    # Other news may come first (a meal the daughter booked in another test): each is told once.
    assert "您的助医已经确认：11月27日上午，周师傅上门。" in greeting.text
    assert greeting.text.count("周师傅") == 1
    again = client.send(_sender("svc-news"), "你好", kiosk(1))
    assert "告诉您" not in again.text and "周师傅" not in again.text
