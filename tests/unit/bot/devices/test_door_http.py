"""The device door end to end: the real `xiaonuan devices` process on a demo database, events posted over HTTP.

The process runs on the frozen test clock; the missed-heartbeat round is run here at a later
`now`, the way the door's own round would see it after two silent hours.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from actions.db.models import Alert, AuditLog, Device, HandoffRequest, OutboxMessage
from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from actions.devices.registry import bind
from bot.devices.watcher import SilenceWatcher
from bot.kernel.settings import PROJECT_ROOT, child_environment, load_settings
from bot.ops.launcher import free_port
from tests.conftest import NOW, TODAY
from tests.unit.bot.staff.console_helpers import Client, admin_client, running_console

FROZEN_UTC = dt.datetime(2026, 11, 23, 0, 0)
PER_MINUTE = 6
HOME = "幸福里小区3号楼2单元101"
PERSONAL = ("张桂英", "王建国", "张丽", HOME, "13800001234")


class Door:
    def __init__(self, url: str, sessions, database_url: str, log: Path) -> None:
        self.url, self.sessions, self.database_url, self.log = url, sessions, database_url, log

    def bind(self, device_id: str, resident_id: int = 1, kind: str = "button", label: str = "床头按钮") -> str:
        return bind(self.sessions, resident_id, device_id, kind, label, 60, "staff:1", FROZEN_UTC)

    def post(self, token: str, body: object, **headers: str) -> requests.Response:
        sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers}
        return requests.post(self.url, data=json.dumps(body, ensure_ascii=False).encode(), headers=sent, timeout=30)

    def rows(self, model, *where):  # type: ignore[no-untyped-def]
        with self.sessions() as session:
            return list(session.scalars(select(model).where(*where).order_by(model.id)))


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Door]:
    folder = tmp_path_factory.mktemp("devices")
    url = f"sqlite:///{folder / 'xiaonuan.db'}"
    engine = make_engine(url)
    create_schema(engine)
    sessions = session_factory(engine)
    seed_demo_data(sessions, TODAY)
    port = free_port("127.0.0.1")
    env = child_environment(load_settings().with_overrides(
        database_url=url, fixed_now=NOW.isoformat(), host="127.0.0.1", devices_port=port,
        device_events_per_minute=PER_MINUTE, device_check_every_s=0.3))
    log = folder / "devices.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "devices"], cwd=PROJECT_ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    address = f"http://127.0.0.1:{port}/v1/events"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the device door did not start in 60 s"
            try:
                if requests.post(address, timeout=2).headers.get("X-Xiaonuan-Door") == "devices":
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        yield Door(address, sessions, url, log)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        engine.dispose()


@pytest.fixture(scope="module")
def staff(door: Door) -> Iterator[Client]:
    """The staff console on the door's database, with its first admin logged in."""
    with running_console(door.sessions, door.database_url) as console:
        yield admin_client(console.url, door.sessions)


def test_the_door_refuses_what_is_not_an_event_of_a_known_device(door: Door) -> None:
    token = door.bind("BTN-GATE", resident_id=4)
    sos = {"device_id": "BTN-GATE", "event": "sos"}
    nobody = requests.post(door.url, json=sos, timeout=30)
    assert nobody.status_code == 401 and nobody.json() == {
        "ok": False, "error": "unauthorized", "reason": "send Authorization: Bearer <device token>"}
    basic = requests.post(door.url, json=sos, headers={"Authorization": f"Basic {token}"}, timeout=30)
    assert basic.status_code == 401
    assert door.post(token + "x", sos).json()["reason"] == "unknown device or wrong token"
    assert door.post(token, {"device_id": "BTN-OTHER", "event": "sos"}).status_code == 401
    browser = door.post(token, sos, Origin="http://127.0.0.1:8080")
    assert browser.status_code == 403 and browser.json()["error"] == "forbidden"
    plain = door.post(token, sos, **{"Content-Type": "text/plain"})
    assert plain.status_code == 415 and plain.json()["reason"] == "the body must be application/json"
    assert door.post(token, sos, **{"Content-Encoding": "gzip"}).status_code == 415
    broken = requests.post(door.url, data=b'{"device_id": "BTN-GATE", "event": ', timeout=30,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["reason"] == "the body is not valid JSON (UTF-8)"
    assert door.post(token, ["sos"]).json() == {"ok": False, "error": "bad_request",
                                                "reason": "the body must be a JSON object"}
    assert door.post(token, {"device_id": "BTN GATE", "event": "sos"}).json()["reason"].startswith("device_id must")
    odd = door.post(token, {"device_id": "BTN-GATE", "event": "help"})
    assert odd.status_code == 400 and odd.json()["reason"] == "event must be one of sos, fall, low_battery, heartbeat"
    assert door.post(token, {**sos, "battery": 300}).status_code == 400
    huge = door.post(token, {**sos, "note": "长" * 5000})
    assert huge.status_code == 413 and huge.json()["ok"] is False
    assert requests.get(door.url, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 405
    assert door.post(token, sos).headers["Cache-Control"] == "no-store"  # and this one was a real SOS
    assert len(door.rows(Alert, Alert.sender_id == "device:BTN-GATE")) == 1


def test_an_sos_raises_the_alert_at_home_tells_family_and_repeats_join(door: Door) -> None:
    token = door.bind("BTN-SOS")
    first = door.post(token, {"device_id": "BTN-SOS", "event": "sos"})
    assert first.status_code == 200 and first.json() == {"ok": True, "result": "alert_raised"}
    (alert,) = door.rows(Alert, Alert.resident_id == 1, Alert.status == "open")
    assert (alert.location, alert.kind, alert.channel, alert.sender_id) == (HOME, "help", "device", "device:BTN-SOS")
    (notice,) = door.rows(OutboxMessage, OutboxMessage.key.startswith(f"alert:{alert.id}"))
    assert notice.recipient.startswith("family:") and notice.kind == "emergency"
    assert f"张桂英在{HOME}求助" in notice.text and "一键呼叫器（床头按钮，编号 BTN-SOS）" in notice.text
    assert door.post(token, {"device_id": "BTN-SOS", "event": "sos"}).json()["result"] == "alert_joined"
    assert door.post(token, {"device_id": "BTN-SOS", "event": "fall"}).json()["result"] == "alert_joined"
    (alert,) = door.rows(Alert, Alert.resident_id == 1, Alert.status == "open")
    assert alert.repeats == 3 and alert.kind == "fall"
    assert len(door.rows(OutboxMessage, OutboxMessage.key.startswith(f"alert:{alert.id}"))) == 1


def test_a_wristband_fall_is_a_fall_alert_where_the_wristband_is(door: Door) -> None:
    token = door.bind("WB-FALL", resident_id=2, kind="wristband", label="")
    body = {"device_id": "WB-FALL", "event": "fall", "battery": 55, "location": {"lat": 39.9, "lon": 116.4}}
    assert door.post(token, body).json() == {"ok": True, "result": "alert_raised"}
    (alert,) = door.rows(Alert, Alert.resident_id == 2)
    assert (alert.kind, alert.location) == ("fall", "纬度39.90000，经度116.40000")


def test_heartbeats_battery_and_silence_reach_staff(door: Door, staff: Client) -> None:
    token = door.bind("BTN-BEAT", resident_id=3, label="门口按钮")
    beat = door.post(token, {"device_id": "BTN-BEAT", "event": "heartbeat", "battery": 76})
    assert beat.json() == {"ok": True, "result": "heartbeat_recorded"}
    (device,) = door.rows(Device, Device.device_id == "BTN-BEAT")
    assert (device.last_seen_at, device.last_battery, device.last_event) == (FROZEN_UTC, 76, "heartbeat")
    low = door.post(token, {"device_id": "BTN-BEAT", "event": "low_battery", "battery": 9})
    assert low.json() == {"ok": True, "result": "battery_recorded"}
    assert door.rows(Alert, Alert.resident_id == 3) == []

    watcher = SilenceWatcher(load_settings().with_overrides(database_url=door.database_url), door.sessions)
    later = FROZEN_UTC + dt.timedelta(hours=2)
    assert device.id in watcher.run_once(later)
    assert device.id not in watcher.run_once(later + dt.timedelta(hours=3))  # told once per silence
    silent = door.rows(HandoffRequest, HandoffRequest.sender_id == "device:BTN-BEAT",
                       HandoffRequest.reason == "device_silent")
    assert len(silent) == 1 and silent[0].resident_id == 3

    today = staff.get("/today").text
    assert "设备没有心跳，请联系老人" in today and "一键呼叫器（门口按钮，编号 BTN-BEAT）已经2小时没有消息" in today
    assert "设备电量低，请提醒充电" in today and "电量低，剩余9%" in today
    resident = staff.get("/residents/3").text
    assert '电量 <span class="error">9%</span>' in resident and "最后消息 11-23 08:00" in resident
    assert "没有心跳（已提醒）" in resident

    again = door.post(token, {"device_id": "BTN-BEAT", "event": "heartbeat"})  # back: the silence is over
    assert again.status_code == 200
    assert door.rows(Device, Device.device_id == "BTN-BEAT")[0].silent_notified_at is None


def test_a_device_of_nobody_gets_409_and_a_flood_gets_429(door: Door) -> None:
    token = door.bind("BTN-GONE", resident_id=4)
    with door.sessions.begin() as session:
        session.scalars(select(Device).where(Device.device_id == "BTN-GONE")).one().active = False
    gone = door.post(token, {"device_id": "BTN-GONE", "event": "sos"})
    assert gone.status_code == 409 and gone.json()["error"] == "not_bound" and "not bound" in gone.json()["reason"]
    assert door.rows(Alert, Alert.sender_id == "device:BTN-GONE") == []
    assert door.rows(HandoffRequest, HandoffRequest.reason == "device_unbound_sos")
    assert door.rows(AuditLog, AuditLog.action == "device_event_refused")

    token = door.bind("BTN-FLOOD", resident_id=5)
    other = door.bind("BTN-CALM", resident_id=6)
    answers = [door.post(token, {"device_id": "BTN-FLOOD", "event": "heartbeat"}).status_code
               for _ in range(PER_MINUTE + 2)]
    assert answers == [200] * PER_MINUTE + [429, 429]
    assert door.post(token, {"device_id": "BTN-FLOOD", "event": "heartbeat"}).json()["error"] == "too_many_requests"
    assert door.post(other, {"device_id": "BTN-CALM", "event": "heartbeat"}).status_code == 200  # per device


def test_a_device_bound_in_the_console_raises_an_alert_with_its_token(door: Door, staff: Client) -> None:
    page = staff.post("/residents/6/devices", {"device_id": "BTN-CONSOLE", "label": "卧室", "kind": "button"})
    token = page.text.split('<p class="code token">', 1)[1].split("</p>", 1)[0]
    assert door.post(token, {"device_id": "BTN-CONSOLE", "event": "sos"}).json()["result"] == "alert_raised"
    (alert,) = door.rows(Alert, Alert.sender_id == "device:BTN-CONSOLE")
    assert alert.resident_id == 6 and alert.location == "幸福里小区1号楼1单元102"


def test_the_log_holds_ids_only_and_no_traceback(door: Door) -> None:
    token = door.bind("BTN-LOG", resident_id=1)
    door.post(token, {"device_id": "BTN-LOG", "event": "sos", "location": "王建国家门口"})
    door.post(token, {"device_id": "BTN-LOG", "event": "low_battery"})
    door.post(token + "x", {"device_id": "BTN-LOG", "event": "sos"})
    time.sleep(0.5)  # the log is written by the other process
    log = door.log.read_text(encoding="utf-8")
    assert "device door: device" in log and "-> alert" in log
    assert "Traceback" not in log and token not in log
    assert not [word for word in PERSONAL if word in log]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
EVENTS = st.fixed_dictionaries(
    {"device_id": st.sampled_from(["BTN-FUZZ", "btn-fuzz", "BTN-FUZZ ", ""]) | st.text(max_size=70),
     "event": st.sampled_from(["sos", "fall", "low_battery", "heartbeat"]) | JSON},
    optional={"location": JSON | st.fixed_dictionaries({"lat": JSON, "lon": JSON}, optional={"text": JSON}),
              "battery": JSON})


@pytest.fixture(scope="module")
def fuzz_token(door: Door) -> str:
    return door.bind("BTN-FUZZ", resident_id=5, label="")


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(EVENTS, JSON))
def test_fuzzed_bodies_get_an_answer_never_an_error(door: Door, fuzz_token: str, body) -> None:
    answer = door.post(fuzz_token, body)
    assert answer.status_code in (200, 400, 401, 413, 429), (answer.status_code, answer.text)
    assert answer.json()["ok"] is (answer.status_code == 200)
    assert "Traceback" not in door.log.read_text(encoding="utf-8")
