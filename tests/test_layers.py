"""The layers (docs/architecture.md#layers) are checked by import-linter in `make lint`: these tests make
sure the check passes on the code as it is and fails when a module crosses a layer."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def project_copy(tmp_path: Path) -> Path:
    """The packages and the contracts, copied, so a test can break a layer without touching the tree."""
    copy = tmp_path / "project"
    for package in ("bot", "actions", "voice"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copytree(ROOT / "tests" / "support", copy / "tests" / "support", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "tests" / "__init__.py", copy / "tests" / "__init__.py")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, capture_output=True, text=True,
                          env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"}, timeout=300)


def test_the_code_keeps_every_layer(tmp_path) -> None:
    done = lint(project_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 5 kept, 0 broken." in done.stdout


@pytest.mark.parametrize("module,line,contract", [
    ("bot/kernel/clock.py", "from bot.ops import launcher", "The kernel imports nothing else of the project"),
    ("actions/meals/menu.py", "from bot.staff import masking", "Actions and the voice kiosk import only the kernel"),
    ("voice/speech.py", "import bot.core.turn_gate", "Actions and the voice kiosk import only the kernel"),
    ("bot/staff/masking.py", "from tests.support import servers", "No production module imports tests"),
    ("bot/core/turn_gate.py", "from bot.telegram import texts", "What Rasa loads and the workers import neither"),
    ("bot/telegram/texts.py", "from bot.staff import masking", "Front-end processes are independent"),
])
def test_an_import_across_a_layer_fails_the_check(tmp_path, module, line, contract) -> None:
    project = project_copy(tmp_path)
    source = project / module
    source.write_text(source.read_text(encoding="utf-8") + f"\n{line}  # crossing a layer\n", encoding="utf-8")
    done = lint(project)
    assert done.returncode != 0
    assert f"{contract}" in done.stdout and "BROKEN" in done.stdout
