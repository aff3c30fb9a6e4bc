"""The Today page: kitchen counts, the day's home visits through the lifecycle, call-back requests."""
import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, HandoffRequest, ServiceBooking, ServiceBookingChange
from actions.meals.availability import MealChoice
from actions.meals.booking import MealRequest, book
from actions.meals.rules import load_rules
from actions.services.booking import ServiceRequest, book_service
from actions.services.catalogue import load_catalogue
from actions.services.slots import ServiceChoice
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import NOW, TODAY
from tests.unit.bot.staff.console_helpers import staff_actor, staff_client, table_rows

pytestmark = pytest.mark.both_databases

TOMORROW = TODAY + dt.timedelta(days=1)


def _meal(sessions, resident_id, canteen_id, meal, quantity, delivery, day=TOMORROW):
    rules = load_rules(PROJECT_ROOT / "data" / "meals.yml")
    choice = MealChoice(canteen_id, day, meal, quantity, delivery)
    assert book(sessions, rules, MealRequest(resident_id, choice, f"resident:{resident_id}"), NOW).ok


def _visit(sessions, code, resident_id, day=TOMORROW, half="上午"):
    catalogue = load_catalogue(PROJECT_ROOT / "data" / "services.yml")
    request = ServiceRequest(resident_id, ServiceChoice(code, day, half), f"resident:{resident_id}", "test")
    result = book_service(sessions, catalogue, request, NOW)
    assert result.ok
    return result.booking_id


def _booking(sessions, booking_id):
    with sessions() as session:
        booking = session.get(ServiceBooking, booking_id)
        changes = [(c.from_status, c.to_status, c.actor, c.reason) for c in booking.changes]
        return booking.status, booking.helper_name, changes


def _audit(sessions, action):
    with sessions() as session:
        return [(a.actor, a.target, a.detail) for a in session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))]


def test_home_page_is_today_with_a_date_picker(admin) -> None:
    page = admin.get("/")
    assert page.url.endswith("/today") and "2026-11-23（今天）" in page.text
    assert 'type="date" name="day" value="2026-11-23"' in page.text
    assert "日期看不懂" in admin.get("/today?day=11月24日").text


def test_kitchen_counts_per_canteen_and_meal(admin, sessions) -> None:
    _meal(sessions, 1, 1, "午餐", 2, True)    # 张桂英: 低盐
    _meal(sessions, 2, 1, "午餐", 1, False)   # 王建国: 糖尿病,低糖
    _meal(sessions, 5, 1, "午餐", 1, False)   # 陈淑珍: no notes
    _meal(sessions, 3, 2, "晚餐", 1, True)    # 李秀兰: 软烂
    page = admin.get(f"/today?day={TOMORROW.isoformat()}")
    assert page.status_code == 200
    rows = [row for row in table_rows(page.text) if row and row[0] in ("早餐", "午餐", "晚餐")]
    assert rows == [
        ["早餐", "0", "0", "0", "30", "无"],
        ["午餐", "2", "2", "4", "40", "低盐×1，糖尿病×1，低糖×1"],
        ["晚餐", "0", "0", "0", "30", "无"],
        ["午餐", "0", "0", "0", "25", "无"],
        ["晚餐", "0", "1", "1", "20", "软烂×1"],
    ]
    assert page.text.index("幸福里幸福食堂") < page.text.index("康乐苑助餐点")
    # Today has no bookings: the same canteens, all zero.
    assert all(row[3] == "0" for row in table_rows(admin.get("/today").text) if row and row[0] in ("午餐", "晚餐"))
    printed = admin.get(f"/today/kitchen.txt?day={TOMORROW.isoformat()}").text
    assert "午餐：共4份（堂食2，送餐2），容量40" in printed


def test_confirm_with_a_helper_then_done(admin, sessions) -> None:
    booking = _visit(sessions, "bathing", 1)  # 助浴 has no helper pool: waits for staff
    page = admin.get(f"/today?day={TOMORROW.isoformat()}")
    assert f'id="visit-{booking}"' in page.text and "助浴 · 张桂英" in page.text and "待确认" in page.text
    confirmed = admin.post(f"/today/visits/{booking}/confirm", {"helper_other": "赵护工", "day": TOMORROW.isoformat()})
    assert confirmed.status_code == 200 and "已确认派人" in confirmed.text and "服务人员：赵护工" in confirmed.text
    done = admin.post(f"/today/visits/{booking}/done", {"day": TOMORROW.isoformat()})
    assert done.status_code == 200 and "已记为做完了" in done.text and "已做完" in done.text
    status, helper, changes = _booking(sessions, booking)
    assert (status, helper) == ("done", "赵护工")
    assert changes[1:] == [("requested", "confirmed", "staff:1", ""), ("confirmed", "done", "staff:1", "")]
    assert _audit(sessions, "service_confirmed") == [("staff:1", f"service_booking:{booking}", "待确认 → 已派人，派赵护工")]


def test_helper_from_the_pool_replaces_the_first_one(admin, sessions) -> None:
    booking = _visit(sessions, "cleaning", 2)  # 助洁 has a pool: confirmed at once to 李阿姨
    page = admin.get(f"/today?day={TOMORROW.isoformat()}")
    assert '<option value="王阿姨" >王阿姨</option>' in page.text and "换人" in page.text
    admin.post(f"/today/visits/{booking}/confirm", {"helper": "王阿姨", "day": TOMORROW.isoformat()})
    assert _booking(sessions, booking)[:2] == ("confirmed", "王阿姨")


def test_cancel_needs_a_reason_and_a_cancelled_visit_cannot_change(admin, sessions) -> None:
    booking = _visit(sessions, "bathing", 2)
    no_reason = admin.post(f"/today/visits/{booking}/cancel", {"reason": " ", "day": TOMORROW.isoformat()})
    assert no_reason.status_code == 400 and "取消请写一句原因" in no_reason.text
    no_helper = admin.post(f"/today/visits/{booking}/confirm", {"helper": "", "day": TOMORROW.isoformat()})
    assert no_helper.status_code == 400 and "请选择或填写上门的服务人员" in no_helper.text
    assert _booking(sessions, booking)[0] == "requested"
    cancelled = admin.post(f"/today/visits/{booking}/cancel", {"reason": "老人住院了", "day": TOMORROW.isoformat()})
    assert cancelled.status_code == 200 and "已取消" in cancelled.text
    refused = admin.post(f"/today/visits/{booking}/done", {"day": TOMORROW.isoformat()})
    assert refused.status_code == 409 and "这个预约已经取消了" in refused.text
    again = admin.post(f"/today/visits/{booking}/confirm", {"helper_other": "赵护工", "day": TOMORROW.isoformat()})
    assert again.status_code == 409 and "这个预约已经取消了" in again.text
    status, helper, changes = _booking(sessions, booking)
    assert (status, helper) == ("cancelled", None)
    assert changes[-1] == ("requested", "cancelled", "staff:1", "老人住院了")
    assert admin.post("/today/visits/9999/done", {}).status_code == 404


def test_a_visit_not_yet_confirmed_cannot_be_done(admin, sessions) -> None:
    booking = _visit(sessions, "bathing", 3)
    refused = admin.post(f"/today/visits/{booking}/done", {"day": TOMORROW.isoformat()})
    assert refused.status_code == 409 and "请先确认派人" in refused.text
    assert _booking(sessions, booking)[0] == "requested"


def test_handoffs_are_listed_and_marked_called_back(admin, sessions) -> None:
    with sessions.begin() as session:
        session.add(HandoffRequest(resident_id=1, sender_id="kiosk-1", channel="kiosk", reason="asked",
                                   last_text="我想找个人说说话"))
        session.add(HandoffRequest(sender_id="tg-9", channel="telegram", reason="not_understood",
                                   last_text="那个补贴咋弄"))
        session.add(HandoffRequest(resident_id=2, sender_id="kiosk-2", channel="kiosk", reason="asked",
                                   last_text="早就处理了", status="called_back"))
        session.flush()
        first = session.scalar(select(HandoffRequest.id).where(HandoffRequest.sender_id == "kiosk-1"))
    page = admin.get("/today")
    assert "请回电（2）" in page.text
    assert '<a href="tel:13800001234">138****1234</a>' in page.text and "“我想找个人说说话”" in page.text
    assert "未登记居民" in page.text and "“那个补贴咋弄”" in page.text and "早就处理了" not in page.text
    done = admin.post(f"/today/handoffs/{first}/called-back", {})
    assert done.status_code == 200 and "已记为回过电话" in done.text and "请回电（1）" in done.text
    with sessions() as session:
        assert session.get(HandoffRequest, first).status == "called_back"
    assert _audit(sessions, "handoff_called_back") == [("staff:1", f"handoff:{first}", "")]
    twice = admin.post(f"/today/handoffs/{first}/called-back", {})
    assert twice.status_code == 409 and "已经处理过了" in twice.text
    assert len(_audit(sessions, "handoff_called_back")) == 1


def test_staff_users_can_do_the_days_work(console, sessions) -> None:
    worker = staff_client(console.url, sessions)
    actor = staff_actor(sessions, "xiaowang")
    booking = _visit(sessions, "bathing", 4)
    page = worker.get(f"/today?day={TOMORROW.isoformat()}")
    assert page.status_code == 200 and "助浴 · 刘德明" in page.text and "小王" in page.text
    worker.post(f"/today/visits/{booking}/confirm", {"helper_other": "钱护工", "day": TOMORROW.isoformat()})
    with sessions() as session:
        change = session.scalars(select(ServiceBookingChange).where(ServiceBookingChange.booking_id == booking)
                                 .order_by(ServiceBookingChange.id.desc())).first()
    assert (change.to_status, change.actor, change.detail) == ("confirmed", actor, "派钱护工")
    forged = worker.http.post(f"{console.url}/today/visits/{booking}/done", data={"csrf": "forged"})
    assert forged.status_code == 403 and _booking(sessions, booking)[0] == "confirmed"
