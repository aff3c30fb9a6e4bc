"""Residents: masked list and search, create and edit with validation, audit, family, link codes."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from actions.db.models import AuditLog, LinkCode, Resident
from bot.staff.resident_form import KNOWN_FLAGS, id_number_problem
from tests.unit.bot.staff.console_helpers import staff_actor, staff_client, table_rows

pytestmark = pytest.mark.both_databases

VALID_ID = "11010519491231002X"  # the worked example of GB 11643, check digit X
# 08:00 in Shanghai on the frozen test day, as the database stores times (UTC).
FROZEN_UTC = dt.datetime(2026, 11, 23, 0, 0)


def _audit(sessions, action):
    with sessions() as session:
        return [(a.actor, a.target, a.detail) for a in session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))]


def _form(**changes):
    form = dict(name="孙玉梅", gender="女", birth_date="1949-12-31", phone="139 1234 5678",
                address="幸福里小区6号楼1单元201", id_number=VALID_ID.lower(), home_canteen_id="2",
                dietary_notes="低盐，软烂 低盐", flags=["独居", "低保"])
    form.update(changes)
    return form


def test_the_list_masks_phones_and_counts_family(admin) -> None:
    page = admin.get("/residents")
    rows = {row[0]: row for row in table_rows(page.text)[1:]}
    assert rows["张桂英"] == ["张桂英", "85岁", "138****1234", "幸福里小区3号楼2单元101", "独居", "幸福里", "1人"]
    assert rows["赵福海"][4] == "独居、半失能" and rows["陈淑珍"][6] == "0人"
    assert "13800001234" not in page.text and "13500009753" not in page.text
    found = admin.get("/residents", params={"q": "张"})
    assert "张桂英" in found.text and "王建国" not in found.text
    assert "没有找到姓名里有“钱”的居民" in admin.get("/residents", params={"q": "钱"}).text


def test_creating_a_resident_checks_the_form_then_saves(admin, sessions) -> None:
    with sessions() as session:
        before = session.scalar(select(func.count(Resident.id)))
    wrong = admin.post("/residents/new", _form(name=" ", birth_date="2030-01-01", phone="138abc1234",
                                               id_number="12345"))
    assert wrong.status_code == 400
    for message in ("请填写姓名。", "出生日期必须是今天以前的日子。", "电话只能填数字", "身份证号应该是18位，现在是5位。"):
        assert message in wrong.text
    assert 'value="幸福里小区6号楼1单元201"' in wrong.text  # what was typed is kept
    odd = admin.post("/residents/new", _form(birth_date="1880-05-01", phone="1381234567",
                                             id_number="110105194912310021"))
    assert odd.status_code == 400
    assert "超过120岁" in odd.text and "手机号应该是11位数字，现在是10位。" in odd.text and "校验位" in odd.text
    assert "出生日期请按" in admin.post("/residents/new", _form(birth_date="49年12月")).text
    with sessions() as session:
        assert session.scalar(select(func.count(Resident.id))) == before
    made = admin.post("/residents/new", _form())
    assert made.status_code == 200 and "已新建居民档案" in made.text
    resident_id = int(re.search(r"/residents/(\d+)", made.url).group(1))
    with sessions() as session:
        resident = session.get(Resident, resident_id)
        stored = (resident.name, resident.birth_date, resident.phone, resident.id_number, resident.home_canteen_id,
                  resident.dietary_notes, resident.flags, resident.flags_updated_at)
    assert stored == ("孙玉梅", dt.date(1949, 12, 31), "13912345678", VALID_ID, 2, "低盐,软烂", "低保,独居", FROZEN_UTC)
    (actor, target, detail), = _audit(sessions, "resident_created")
    assert (actor, target) == ("staff:1", f"resident:{resident_id}")
    assert "姓名：（空） → 孙玉梅" in detail and "电话：（空） → 139****5678" in detail and VALID_ID not in detail


def test_the_edit_form_shows_full_values_and_the_view_is_audited(admin, sessions) -> None:
    with sessions.begin() as session:
        session.get(Resident, 1).id_number = VALID_ID
    page = admin.get("/residents/1")
    assert 'name="phone" value="13800001234"' in page.text and f'name="id_number" value="{VALID_ID}"' in page.text
    assert "张丽（女儿） · 138****2222" in page.text and "Telegram 未绑定" in page.text
    assert 'value="独居" checked' in page.text and 'value="失能" >' in page.text
    assert _audit(sessions, "viewed_resident") == [("staff:1", "resident:1", "")]
    assert admin.get("/residents/999").status_code == 404


def test_editing_flags_sets_flags_updated_at_and_audits_what_changed(admin, sessions) -> None:
    form = dict(name="张桂英", gender="女", birth_date="1941-03-12", phone="13800001234",
                address="幸福里小区3号楼2单元101", id_number="", home_canteen_id="1", dietary_notes="低盐")
    same = admin.post("/residents/1", dict(form, flags=["独居"]))
    assert same.status_code == 200 and "没有改动" in same.text
    with sessions() as session:
        assert session.get(Resident, 1).flags_updated_at is None
    assert _audit(sessions, "resident_updated") == []
    changed = admin.post("/residents/1", dict(form, phone="13800009999", flags=["独居", "失能", "不存在的标记"]))
    assert changed.status_code == 200 and "已保存修改" in changed.text
    with sessions() as session:
        resident = session.get(Resident, 1)
        assert (resident.flags, resident.phone, resident.flags_updated_at) == ("失能,独居", "13800009999", FROZEN_UTC)
    (actor, target, detail), = _audit(sessions, "resident_updated")
    assert (actor, target) == ("staff:1", "resident:1")
    assert "情况标记：独居 → 失能,独居" in detail and "电话：138****1234 → 138****9999" in detail
    bad = admin.post("/residents/1", dict(form, name="", flags=[]))
    assert bad.status_code == 400 and "请填写姓名" in bad.text
    with sessions() as session:
        assert session.get(Resident, 1).name == "张桂英"


def test_flags_the_form_does_not_offer_are_kept(admin, sessions) -> None:
    with sessions.begin() as session:
        session.get(Resident, 5).flags = "空巢"
    page = admin.get("/residents/5")
    assert "其他标记（保留不变）：空巢" in page.text
    admin.post("/residents/5", dict(name="陈淑珍", birth_date="1956-06-06", phone="13600001357", flags=["独居"]))
    with sessions() as session:
        assert session.get(Resident, 5).flags == "独居,空巢"


def test_known_flags_come_from_the_policy_knowledge_base() -> None:
    assert {"低保", "特困", "失能", "半失能", "独居", "残疾"} <= set(KNOWN_FLAGS)
    assert id_number_problem(VALID_ID) is None and "18位" in id_number_problem("1234")


def test_issuing_a_link_code(admin, sessions) -> None:
    page = admin.post("/residents/1/link-code", {})
    assert page.status_code == 200 and "24小时内有效" in page.text
    shown = re.search(r'<p class="code">([\d ]+)</p>', page.text).group(1)
    assert re.fullmatch(r"\d( \d){5}", shown)
    with sessions() as session:
        code = session.scalar(select(LinkCode).where(LinkCode.resident_id == 1))
        assert (code.code, code.issued_by) == (shown.replace(" ", ""), "staff:1")
        assert code.expires_at - code.created_at == dt.timedelta(hours=24)
    assert _audit(sessions, "link_code_issued") == [("staff:1", "resident:1", "")]
    assert admin.post("/residents/999/link-code", {}).status_code == 404


def test_staff_users_can_search_edit_and_issue_codes(console, sessions) -> None:
    worker = staff_client(console.url, sessions)
    actor = staff_actor(sessions, "xiaowang")
    assert "李秀兰" in worker.get("/residents", params={"q": "秀兰"}).text
    assert worker.get("/residents/3").status_code == 200
    saved = worker.post("/residents/3", dict(name="李秀兰", gender="女", birth_date="1950-11-30", phone="13900002468",
                                             address="康乐苑7号楼4单元201", home_canteen_id="2",
                                             dietary_notes="软烂", flags=["低保", "独居"]))
    assert saved.status_code == 200 and "已保存修改" in saved.text
    assert worker.post("/residents/3/link-code", {}).status_code == 200
    with sessions() as session:
        actions = session.execute(select(AuditLog.action).where(AuditLog.actor == actor,
                                                                AuditLog.target == "resident:3")).scalars().all()
    assert sorted(set(actions)) == ["link_code_issued", "resident_updated", "viewed_resident"]
