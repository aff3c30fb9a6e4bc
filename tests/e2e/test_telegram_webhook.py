"""Webhook mode: the real Application behind its webhook server, with Telegram's secret token,
and the same update posted twice (Telegram retries when it did not see an answer) handled once."""
from __future__ import annotations

import asyncio
import random
import socket
import time
from pathlib import Path

import pytest

from bot.ops.launcher import free_port
from bot.telegram.app import WEBHOOK_PATH, serve
from tests.support.bot_api_standin import BotApiStandin

pytestmark = pytest.mark.e2e
SECRET = "webhook-secret-for-tests"


async def test_webhook_checks_the_secret_and_handles_a_replay_once(stack, db) -> None:
    with BotApiStandin() as api:
        port = free_port("127.0.0.1")
        settings = stack.settings.with_overrides(
            telegram_bot_token=api.token, telegram_api_url=api.url, core_url=stack.rasa_url,
            telegram_webhook_url="https://xiaonuan.example.org/telegram", telegram_webhook_secret=SECRET,
            telegram_webhook_port=port, vosk_model=Path("/nonexistent/vosk-model"))
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop, sessions=db))
        try:
            registered = await api.wait_for_async(lambda c: c.method == "setWebhook", 30)
            assert registered.params["url"] == "https://xiaonuan.example.org/telegram"
            assert registered.params["secret_token"] == SECRET
            # python-telegram-bot registers the webhook before its server listens: wait for the port.
            await asyncio.to_thread(_wait_until_listening, port, 30)
            url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
            chat = 95000 + random.randint(0, 999)
            update = {**api.text_update(chat, "/help"), "update_id": random.randint(10 ** 8, 2 * 10 ** 8)}

            assert await api.post_update_to_async(url, update, "wrong-secret") == 403
            assert await api.post_update_to_async(url, update) == 403
            await asyncio.sleep(0.5)
            assert api.sent(chat) == []

            assert await api.post_update_to_async(url, update, SECRET) == 200
            await api.wait_for_sent_async(chat, 1)
            assert await api.post_update_to_async(url, update, SECRET) == 200  # the same update again
            await asyncio.sleep(1.0)
            assert len(api.sent(chat)) == 1 and "我能帮您" in api.sent(chat)[0].text

            # Without a Chinese speech model a voice message gets a polite request to type.
            voice = {**api.voice_update(chat, "voice-no-model"), "update_id": update["update_id"] + 1}
            assert await api.post_update_to_async(url, voice, SECRET) == 200
            sent = await api.wait_for_sent_async(chat, 2)
            assert "语音识别模型" in sent[-1].text and "打字" in sent[-1].text
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)


def _wait_until_listening(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"the webhook server did not listen on port {port} within {timeout}s") from None
            time.sleep(0.05)
