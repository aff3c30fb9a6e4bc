"""The Telegram channel for family members: python-telegram-bot in front of the same dialogue core.

`build_application(settings)` wires the handlers; `serve(...)` runs it with long
polling (default) or a webhook checked by Telegram's secret token, together with
the outbox worker that pushes alerts and news to linked family members.
Run it with `xiaonuan telegram` (`make run` starts it when TELEGRAM_BOT_TOKEN is set).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import signal
from typing import Optional

from sqlalchemy.orm import sessionmaker
from telegram import BotCommand, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.kernel.core_client import CoreClient
from bot.kernel.settings import Settings
from bot.telegram.chats import ChatStore
from bot.telegram.daily_word import daily_setting
from bot.telegram.handlers import TelegramChannel
from bot.telegram.receiver import TelegramReceiver
from bot.telegram.voice_notes import VoiceNoteRecognizer, VoiceNoteSynthesizer
from bot.workers.outbox import OutboxWorker

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "telegram"
COMMANDS = [
    BotCommand("start", "开始 / 绑定说明"),
    BotCommand("parent", "换一位老人"),
    BotCommand("unlink", "解除绑定"),
    BotCommand("voice", "回复时发语音：/voice on 或 /voice off"),
    BotCommand("daily", "每天老人的情况：/daily 20 或 /daily off"),
    BotCommand("help", "我能做什么"),
]
STARTUP_RETRY_MAX_S = 60.0


def _sessions(settings: Settings) -> sessionmaker:
    from actions.db.session import sessions_for

    return sessions_for(settings.database_url)


def build_application(settings: Settings, core: Optional[CoreClient] = None,
                      sessions: Optional[sessionmaker] = None) -> Application:
    """The Application with every handler; `application.bot_data["channel"]` is the adapter."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    core = core or CoreClient(settings.core_url, settings.channel_secret, settings.core_timeout_s)
    channel = TelegramChannel(settings, core, ChatStore(sessions or _sessions(settings)),
                              VoiceNoteRecognizer.from_settings(settings),
                              VoiceNoteSynthesizer.from_settings(settings))
    application = (ApplicationBuilder().token(settings.telegram_bot_token)
                   .base_url(f"{settings.telegram_api_url}/bot")
                   .base_file_url(f"{settings.telegram_api_url}/file/bot")
                   .concurrent_updates(8)
                   .build())
    application.bot_data["channel"] = channel
    application.add_handler(TypeHandler(Update, channel.once_per_update), group=-2)
    application.add_handler(TypeHandler(Update, channel.flood_gate), group=-1)
    # First match in a group wins: edits before everything else, the catch-all last.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, channel.edited))
    application.add_handler(CommandHandler("start", channel.start))
    application.add_handler(CommandHandler("help", channel.help))
    application.add_handler(CommandHandler("parent", channel.parent))
    application.add_handler(CommandHandler("unlink", channel.unlink))
    application.add_handler(CommandHandler("voice", channel.voice_setting))
    application.add_handler(CommandHandler("daily", functools.partial(daily_setting, channel)))
    application.add_handler(CallbackQueryHandler(channel.button))
    application.add_handler(MessageHandler(filters.VOICE | filters.AUDIO, channel.voice))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, channel.text))
    application.add_handler(MessageHandler(filters.COMMAND, channel.unknown_command))
    application.add_handler(MessageHandler(filters.ALL, channel.unsupported))
    application.add_error_handler(_log_error)
    return application


async def _log_error(update: object, context) -> None:  # type: ignore[no-untyped-def]
    logger.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


async def _initialize(application: Application, stop: asyncio.Event) -> bool:
    """Reach the Bot API, waiting and retrying while it is unreachable; False when stopped first."""
    pause = 1.0
    while not stop.is_set():
        try:
            await application.initialize()
            return True
        except NetworkError as exc:
            logger.warning("Telegram is unreachable (%s); trying again in %.0f s", exc, pause)
            try:
                await asyncio.wait_for(stop.wait(), pause)
            except asyncio.TimeoutError:
                pass
            pause = min(STARTUP_RETRY_MAX_S, pause * 2)
    return False


async def serve(settings: Settings, stop: asyncio.Event, application: Optional[Application] = None,
                sessions: Optional[sessionmaker] = None) -> None:
    """Run the channel and the family notices until `stop` is set."""
    sessions = sessions or _sessions(settings)
    application = application or build_application(settings, sessions=sessions)
    if not await _initialize(application, stop):
        return
    channel: TelegramChannel = application.bot_data["channel"]
    await asyncio.to_thread(channel.store.forget_old_updates)
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        logger.warning("could not set the command menu: %s", exc)
    await application.start()
    if settings.telegram_webhook_url:
        await application.updater.start_webhook(
            listen=settings.host, port=settings.telegram_webhook_port, url_path=WEBHOOK_PATH,
            webhook_url=settings.telegram_webhook_url, secret_token=settings.telegram_webhook_secret,
            allowed_updates=Update.ALL_TYPES)
    else:
        await application.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)
    receiver = TelegramReceiver(sessions, application.bot, asyncio.get_running_loop(),
                                synthesizer=channel.synthesizer)
    notices = OutboxWorker(sessions, {"family": receiver}, settings.outbox_interval_s,
                           settings.outbox_retry_base_s).start()
    logger.warning("Telegram channel running (%s)", "webhook" if settings.telegram_webhook_url else "long polling")
    try:
        await stop.wait()
    finally:
        await asyncio.to_thread(notices.stop)
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        channel.synthesizer.close()


def run_telegram(settings: Settings) -> int:
    """Entry point of `xiaonuan telegram`: serve until SIGINT or SIGTERM."""
    if not settings.telegram_bot_token:
        print("[telegram] off: set TELEGRAM_BOT_TOKEN (from @BotFather) to let family members use Telegram")
        return 2
    if not settings.core_url:
        print("[telegram] set XIAONUAN_CORE_URL to the core's address, e.g. http://127.0.0.1:5005")
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    asyncio.run(main())
    return 0
