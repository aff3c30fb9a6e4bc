"""The real Telegram channel process (`python -m bot.ops.cli telegram`) against the Bot API stand-in."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from bot.kernel.settings import PROJECT_ROOT, child_environment
from bot.ops.launcher import Stack
from tests.support.bot_api_standin import BotApiStandin


@dataclass
class TelegramProcess:
    api: BotApiStandin
    process: subprocess.Popen
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_telegram_process(stack: Stack, api: BotApiStandin, log: Path,
                           extra_env: Optional[Dict[str, str]] = None) -> TelegramProcess:
    settings = stack.settings.with_overrides(telegram_bot_token=api.token, telegram_api_url=api.url)
    env = child_environment(settings)
    env["XIAONUAN_CORE_URL"] = stack.rasa_url
    env.update(extra_env or {})
    handle = open(log, "ab")
    process = subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "telegram"], cwd=PROJECT_ROOT, env=env,
                               stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    running = TelegramProcess(api, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # polling has started once it asked for updates
        if process.poll() is not None:
            raise RuntimeError(f"the Telegram process exited: {running.log_tail()}")
        if api.calls("getUpdates"):
            return running
        time.sleep(0.1)
    running.stop()
    raise RuntimeError(f"the Telegram process did not start polling: {running.log_tail()}")
