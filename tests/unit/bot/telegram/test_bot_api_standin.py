"""The Bot API stand-in, exercised with the real python-telegram-bot."""
from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from typing import Iterator, List

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.bot_api_standin import BotApiStandin, post_update_to_async

CHAT = 4242


@pytest.fixture()
def api() -> Iterator[BotApiStandin]:
    with BotApiStandin() as standin:
        yield standin
    assert standin.server_errors == []


def make_bot(api: BotApiStandin, token: str | None = None) -> Bot:
    return Bot(token or api.token, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot")


def build_app(api: BotApiStandin) -> Application:
    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(f"{api.url}/bot")
        .base_file_url(f"{api.url}/file/bot")
        .build()
    )


# ----------------------------------------------------------------------------- plain Bot


async def test_get_me_returns_the_test_bot(api: BotApiStandin) -> None:
    async with make_bot(api) as bot:
        me = await bot.get_me()
    assert me.is_bot and me.username == "xiaonuan_test_bot" and me.id == 123456
    assert [c.method for c in api.calls()] == ["getMe", "getMe"]  # initialize() + get_me()


async def test_send_message_records_the_decoded_keyboard(api: BotApiStandin) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("订午饭", callback_data="meal:book"),
                InlineKeyboardButton("取消", callback_data="meal:cancel"),
            ]
        ]
    )
    async with make_bot(api) as bot:
        first = await bot.send_message(CHAT, "今天想吃什么？", reply_markup=keyboard)
        second = await bot.send_message(CHAT, "[不是JSON] 原样保留")

    call = api.sent(CHAT)[0]
    assert call.method == "sendMessage"
    assert call.chat_id == CHAT and call.text == "今天想吃什么？"
    assert call.reply_markup == {
        "inline_keyboard": [
            [{"text": "订午饭", "callback_data": "meal:book"}, {"text": "取消", "callback_data": "meal:cancel"}]
        ]
    }
    assert [b["callback_data"] for b in call.buttons] == ["meal:book", "meal:cancel"]
    # The answer PTB parsed carries the echoed keyboard and increasing message ids.
    assert first.reply_markup == keyboard
    assert first.chat.id == CHAT and first.chat.type == "private"
    assert second.message_id == first.message_id + 1
    assert api.sent(CHAT)[1].text == "[不是JSON] 原样保留"
    assert api.sent(999) == []


async def test_telegram_limits_are_enforced(api: BotApiStandin) -> None:
    async with make_bot(api) as bot:
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(CHAT, "长" * 4097)
        too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(CHAT, "hi", reply_markup=too_long_data)
    assert api.sent(CHAT) == []
    assert [c.status for c in api.calls("sendMessage")] == [400, 400]


async def test_send_voice_records_the_upload(api: BotApiStandin) -> None:
    audio = b"OggS\x00\x02" + bytes(range(256)) * 8
    async with make_bot(api) as bot:
        message = await bot.send_voice(CHAT, voice=audio, filename="reply.ogg", duration=3, caption="语音回复")
        # The uploaded voice can be fetched back through getFile.
        file = await bot.get_file(message.voice.file_id)
        downloaded = await file.download_as_bytearray()

    [call] = api.sent(CHAT)
    upload = call.files["voice"]
    assert (upload.filename, upload.mime_type, upload.data) == ("reply.ogg", "audio/ogg", audio)
    assert call.params["duration"] == 3 and call.text == "语音回复"
    assert message.voice.file_size == len(audio) and message.voice.duration == 3
    assert bytes(downloaded) == audio


async def test_get_file_downloads_registered_bytes(api: BotApiStandin) -> None:
    payload = "你好".encode("utf-8") * 100
    api.add_file("VOICE-FROM-USER", payload, file_path="voice/file_7.oga")
    async with make_bot(api) as bot:
        file = await bot.get_file("VOICE-FROM-USER")
        data = await file.download_as_bytearray()
        with pytest.raises(BadRequest, match="(?i)invalid file_id"):
            await bot.get_file("UNKNOWN")

    assert file.file_path == f"{api.url}/file/bot{api.token}/voice/file_7.oga"
    assert file.file_size == len(payload)
    assert bytes(data) == payload
    [download] = api.calls("downloadFile")
    assert download.ok and download.params == {"file_path": "voice/file_7.oga"}


async def test_long_poll_waits_for_an_update_and_honours_timeout_offset_limit(api: BotApiStandin) -> None:
    async with make_bot(api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert 0.9 <= time.monotonic() - started < 3

        threading.Timer(0.2, lambda: api.push_update(api.text_update(CHAT, "在吗"))).start()
        started = time.monotonic()
        [update] = await bot.get_updates(timeout=5)
        assert time.monotonic() - started < 2, "the held poll should return as soon as an update arrives"
        assert update.message.text == "在吗"

        later = [api.push_update(api.text_update(CHAT, f"第{i}条")) for i in range(3)]
        assert [u.update_id for u in await bot.get_updates(offset=update.update_id + 1, limit=2)] == later[:2]
        # Confirming via offset drops the older updates for good.
        assert [u.update_id for u in await bot.get_updates(offset=later[2])] == [later[2]]
        assert [u.update_id for u in await bot.get_updates()] == [later[2]]
    assert api.calls("getUpdates")[0].params["timeout"] == 1


async def test_update_builders_parse_into_the_expected_kinds(api: BotApiStandin) -> None:
    expected = {
        api.push_update(api.text_update(CHAT, "/start@xiaonuan_test_bot 邀请码")): filters.COMMAND,
        api.push_update(api.voice_update(CHAT, "VOICE-9", data=b"OggS")): filters.VOICE,
        api.push_update(api.sticker_update(CHAT)): filters.Sticker.ALL,
        api.push_update(api.photo_update(CHAT, caption="看看这个")): filters.PHOTO,
        api.push_update(api.location_update(CHAT)): filters.LOCATION,
        api.push_update(api.edited_text_update(CHAT, "改一下")): filters.UpdateType.EDITED_MESSAGE,
    }
    async with make_bot(api) as bot:
        updates = await bot.get_updates()
        assert [u.update_id for u in updates] == list(expected)
        for update in updates:
            assert expected[update.update_id].check_update(update), update
            assert update.effective_chat.type == "private" and update.effective_user.first_name == "丽"
        assert CommandHandler("start", print).check_update(updates[0])
        assert updates[1].message.voice.file_size == 4
        # The edit targets the user's latest message (the location).
        assert updates[5].edited_message.message_id == updates[4].message.message_id

        sent = await bot.send_message(CHAT, "请选择", reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("好", callback_data="ok")
        ))
        api.push_update(api.callback_update(CHAT, "ok"))
        [press] = await bot.get_updates(offset=updates[-1].update_id + 1)
        assert press.callback_query.data == "ok" and press.callback_query.message.message_id == sent.message_id
        # Telegram refuses no-op edits and edits of unknown messages.
        with pytest.raises(BadRequest, match="(?i)not modified"):
            await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=sent.reply_markup)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=CHAT, message_id=9999)
        edited = await bot.edit_message_reply_markup(CHAT, sent.message_id)
    assert edited.reply_markup is None and edited.text == "请选择"


# ----------------------------------------------------------------------------- Application


async def test_application_polls_and_handles_each_update_once(api: BotApiStandin) -> None:
    handled: List[int] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update.update_id)
        await update.message.reply_text(f"您好，{update.effective_user.first_name}！")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update.update_id)
        await update.message.reply_text(f"收到：{update.message.text}")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update.update_id)
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"已选择 {update.callback_query.data}")

    app = build_app(api)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        start_id = api.push_update(api.text_update(CHAT, "/start"))
        text_id = api.push_update(api.text_update(CHAT, "我想订午饭"))
        replies = await api.wait_for_sent_async(CHAT, count=2, timeout=5)
        assert [r.text for r in replies] == ["您好，丽！", "收到：我想订午饭"]

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A餐", callback_data="meal:A")]])
        await app.bot.send_message(CHAT, "选哪个？", reply_markup=keyboard)
        press_id = api.push_update(api.callback_update(CHAT, "meal:A"))
        edit = await api.wait_for_async(lambda c: c.method == "editMessageText", timeout=5)
        assert edit.ok and edit.text == "已选择 meal:A"
        assert edit.params["message_id"] == api.sent(CHAT)[-1].result["message_id"]
        assert api.calls("answerCallbackQuery")[0].ok

        # The poll after the handling confirms everything; nothing is delivered twice.
        await api.wait_for_async(
            lambda c: c.method == "getUpdates" and c.params["offset"] > press_id and c.at > edit.at, timeout=5
        )
        assert api.pending_updates() == []
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    assert sorted(handled) == [start_id, text_id, press_id]
    delivered = Counter(
        u["update_id"] for c in api.calls("getUpdates") if c.ok for u in c.result
    )
    assert delivered == {start_id: 1, text_id: 1, press_id: 1}
    assert len(api.sent(CHAT)) == 3


async def test_replayed_update_reaches_a_fresh_poller_only(api: BotApiStandin) -> None:
    update = api.text_update(CHAT, "重复消息")
    update_id = api.push_update(update)
    async with make_bot(api) as bot:
        [first] = await bot.get_updates(timeout=0)
        assert await bot.get_updates(offset=first.update_id + 1) == ()
        api.push_raw({**update, "update_id": update_id})
        [again] = await bot.get_updates()  # offset 0, like a restarted Application
    assert again.update_id == update_id and again.message.text == "重复消息"


async def test_webhook_helper_posts_updates_with_the_secret_token(api: BotApiStandin) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received: List[str] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        received.append(update.message.text)
        await update.message.reply_text("好的")

    app = build_app(api)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="hook", secret_token="s3cret", webhook_url="https://bot.example/hook"
    )
    try:
        assert api.webhook["url"] == "https://bot.example/hook" and api.webhook["secret_token"] == "s3cret"
        hook = f"http://127.0.0.1:{port}/hook"
        assert await post_update_to_async(hook, api.text_update(CHAT, "你好"), secret_token="wrong") == 403
        assert await post_update_to_async(hook, api.text_update(CHAT, "你好"), secret_token="s3cret") == 200
        await api.wait_for_sent_async(CHAT, timeout=5)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert received == ["你好"]
    # While a webhook is set, getUpdates is refused like on Telegram.
    async with make_bot(api) as bot:
        with pytest.raises(Exception, match="webhook is active"):
            await bot.get_updates()


# ----------------------------------------------------------------------------- failures


async def test_unreachable_mode_raises_network_error_until_switched_off(api: BotApiStandin) -> None:
    async with make_bot(api) as bot:
        api.set_unreachable(True)
        with pytest.raises(NetworkError) as raised:
            await bot.send_message(CHAT, "你好")
        assert "Bad Gateway" in str(raised.value)
        assert api.sent(CHAT) == [] and api.calls("sendMessage")[-1].status == 502

        api.set_unreachable(False)
        message = await bot.send_message(CHAT, "你好")
    assert message.text == "你好"
    assert [c.text for c in api.sent(CHAT)] == ["你好"]


async def test_fail_next_fails_only_the_given_number_of_calls(api: BotApiStandin) -> None:
    api.fail_next("sendMessage", 2)
    api.fail_next("sendChatAction", status=429, retry_after=3)
    async with make_bot(api) as bot:
        for _ in range(2):
            with pytest.raises(NetworkError):
                await bot.send_message(CHAT, "一")
        await bot.send_message(CHAT, "二")
        with pytest.raises(RetryAfter) as raised:
            await bot.send_chat_action(CHAT, "typing")
        assert "Retry in 3" in str(raised.value)
        assert await bot.send_chat_action(CHAT, "typing") is True
    assert [c.status for c in api.calls("sendMessage")] == [502, 502, 200]


async def test_wrong_token_is_rejected_as_invalid_token(api: BotApiStandin) -> None:
    bot = make_bot(api, token="654321:WRONG-TOKEN")
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await bot.initialize()
    await bot.shutdown()
    [call] = api.calls()
    assert call.method == "getMe" and call.status == 401


def test_wait_for_reports_what_was_recorded_on_timeout(api: BotApiStandin) -> None:
    import requests

    requests.post(f"{api.url}/bot{api.token}/sendMessage", data={"chat_id": CHAT, "text": "嗨"}, timeout=5)
    assert api.wait_for(lambda c: c.method == "sendMessage", timeout=1).text == "嗨"
    with pytest.raises(AssertionError) as raised:
        api.wait_for_sent(CHAT, count=2, timeout=0.2)
    assert "sendMessage -> 200" in str(raised.value) and "No getUpdates call yet" in str(raised.value)
    api.clear()
    assert api.calls() == []
