"""The kiosk loop with networking disabled (a new network namespace with only loopback)."""
import json
import shutil
import subprocess
import sys

import pytest

from bot.kernel.settings import PROJECT_ROOT, child_environment, load_settings

pytestmark = pytest.mark.e2e


def test_kiosk_books_a_meal_with_no_network(stack) -> None:  # the shared stack fixture trained the model
    assert shutil.which("unshare") and shutil.which("ip"), "unshare and ip (util-linux, iproute2) are needed"
    env = child_environment(load_settings())
    command = ["unshare", "-n", "sh", "-c", f"ip link set lo up && exec {sys.executable} -m tests.e2e.offline_kiosk"]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["network"] is False
    assert result["answer"].startswith("订好了！")
