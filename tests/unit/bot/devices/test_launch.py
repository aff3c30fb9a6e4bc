"""How `xiaonuan run` starts the device door (its own process) and the door's settings."""
from __future__ import annotations

import socket

import pytest
import requests

from bot.kernel.settings import child_environment, load_settings
from bot.ops.launcher import Stack, free_port, start_devices


def test_the_door_settings_default_validate_and_reach_the_door_process() -> None:
    defaults = load_settings({})
    assert (defaults.devices_port, defaults.device_events_per_minute, defaults.device_check_every_s) == (8070, 30, 60.0)
    settings = load_settings({"XIAONUAN_DEVICES_PORT": "9100", "XIAONUAN_DEVICE_EVENTS_PER_MINUTE": "5",
                              "XIAONUAN_DEVICE_CHECK_EVERY": "2.5"})
    again = load_settings(child_environment(settings, base={}))
    assert (again.devices_port, again.device_events_per_minute, again.device_check_every_s) == (9100, 5, 2.5)
    for env, message in (({"XIAONUAN_DEVICES_PORT": "70000"}, "devices_port must be between"),
                         ({"XIAONUAN_DEVICE_EVENTS_PER_MINUTE": "0"}, "at least 1"),
                         ({"XIAONUAN_DEVICE_CHECK_EVERY": "0"}, "positive number of seconds")):
        with pytest.raises(ValueError, match=message):
            load_settings(env)


def _stack(tmp_path, port: int) -> Stack:
    settings = load_settings().with_overrides(database_url=f"sqlite:///{tmp_path / 'x.db'}", host="127.0.0.1",
                                              devices_port=port, run_dir=tmp_path / "run")
    return Stack(settings, rasa_url="", actions_url="")


def test_run_starts_the_door_as_its_own_process_and_stops_it(tmp_path) -> None:
    port = free_port("127.0.0.1")
    stack = _stack(tmp_path, port)
    with stack:
        process, note = start_devices(stack, wait_s=60)
        assert process is not None and stack.processes == [process]
        assert note.startswith(f"device door: http://127.0.0.1:{port}/v1/events")
        answer = requests.post(f"http://127.0.0.1:{port}/v1/events", timeout=10)
        assert answer.status_code == 401 and answer.headers["X-Xiaonuan-Door"] == "devices"
    assert process.wait(15) is not None


def test_a_taken_port_is_a_note_and_the_run_goes_on(tmp_path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        stack = _stack(tmp_path, port)
        process, note = start_devices(stack, wait_s=60)
    assert process is None and stack.processes == []
    assert note == f"the device door could not start on port {port}; see {tmp_path / 'run' / 'devices.log'}"
    log = (tmp_path / "run" / "devices.log").read_text()
    assert "could not start on port" in log and "Traceback" not in log
