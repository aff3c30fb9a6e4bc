"""The command line: a wrong setting is one clear line and exit code 2, for every command."""
from __future__ import annotations

import pytest

from bot.ops.cli import main


@pytest.mark.parametrize("variable,value,said", [
    ("XIAONUAN_KIOSK_MODE", "home", "a home kiosk needs XIAONUAN_KIOSK_RESIDENT_ID"),
    ("XIAONUAN_SPEECH_RATE", "fast", "XIAONUAN_SPEECH_RATE must be a whole number, got 'fast'"),
    ("XIAONUAN_ESCALATION", "60", "XIAONUAN_ESCALATION must be two whole numbers of seconds"),
])
@pytest.mark.parametrize("command", [["run"], ["seed"], ["migrate", "--status"], ["purge", "--dry-run"]])
def test_a_wrong_setting_is_one_clear_line(monkeypatch, capsys, variable, value, said, command) -> None:
    monkeypatch.setenv(variable, value)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert said in err and "docs/operations.md" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
