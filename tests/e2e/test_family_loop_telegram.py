"""The family loop on Telegram, end to end: the real python-telegram-bot process (with its outbox worker),
the real core and action server, real espeak-ng and ffmpeg, and the Bot API stand-in. A son sets his
father's reminder with the read-back buttons; the reminder is missed and he is told with two buttons; he
leaves a message, the home kiosk says it, and the father's spoken answer comes back as text and a voice note."""
from __future__ import annotations

import datetime as dt
import time
from typing import Iterator

import pytest
from sqlalchemy import select

from actions.db.models import FamilyMember, HandoffRequest, Reminder
from actions.reminders.rounds import reminder_round
from bot.kernel.contract import ChannelMetadata
from tests.e2e.telegram_process import TelegramProcess, start_telegram_process
from tests.e2e.test_telegram_http import link, new_chat, press, say, text_of
from tests.support.bot_api_standin import BotApiStandin
from voice.home_timer import MESSAGE_PAYLOAD, HomeTimer

pytestmark = pytest.mark.e2e
RESIDENT = 6  # 赵福海, living alone
MONDAY_8_UTC = dt.datetime(2026, 11, 23, 0, 0)


@pytest.fixture(scope="module")
def family_telegram(stack, tmp_path_factory) -> Iterator[TelegramProcess]:
    """The Telegram process with its outbox worker (family notices) and voice replies (espeak-ng, ffmpeg)."""
    with BotApiStandin() as api:
        running = start_telegram_process(stack, api, tmp_path_factory.mktemp("family") / "telegram.log",
                                         {"XIAONUAN_OUTBOX_RETRY_BASE": "0.3"})
        yield running
        running.stop()


def _home() -> ChannelMetadata:
    return ChannelMetadata(channel="kiosk", role="resident", resident_id=RESIDENT, kiosk_mode="home")


def _member(db, chat: int) -> int:
    with db() as session:
        return session.scalar(select(FamilyMember.id).where(FamilyMember.telegram_chat_id == str(chat)))


def test_a_reminder_set_on_telegram_missed_and_the_son_told_with_buttons(family_telegram, stack, db) -> None:
    api, chat = family_telegram.api, new_chat()
    link(api, db, chat, RESIDENT, name="海")
    asked = say(api, chat, "提醒我爸每天早上七点半吃降压药", "对吗")
    [read_back] = [c for c in asked if "我念一下" in (c.text or "")]
    assert read_back.text == "我念一下：设个提醒，每天早上七点半提醒赵福海吃降压药。对吗？"
    assert [b["text"] for b in read_back.buttons] == ["对", "不对"]
    done = text_of(press(api, chat, read_back.buttons[0]["callback_data"], "记下了"))
    assert "每天早上七点半家里的小暖会提醒赵福海吃降压药" in done
    member = _member(db, chat)
    with db() as session:
        row = session.scalars(select(Reminder).where(Reminder.resident_id == RESIDENT)).one()
        assert row.created_by == f"family:{member}"
        # set "yesterday", so this morning's 07:30 has fallen due (the clock is frozen at 08:00)
        row.created_at = MONDAY_8_UTC - dt.timedelta(days=1)
        session.commit()
    since = time.monotonic()
    missed = [m for m in reminder_round(db, stack.settings, MONDAY_8_UTC) if m.resident_id == RESIDENT]
    assert [m.told for m in missed] == [1]
    told = api.wait_for(lambda c: c.method == "sendMessage" and str(c.chat_id) == str(chat) and c.at >= since
                        and "提醒没确认" in (c.text or ""), 30)
    assert told.text.startswith("【提醒没确认】赵福海今天07:30该吃降压药")
    assert [b["text"] for b in told.buttons] == ["我打电话问问", "请工作人员去看看"]
    answer = text_of(press(api, chat, told.buttons[1]["callback_data"], "工作人员"))
    assert "已经请社区工作人员去看看" in answer
    with db() as session:
        asked_staff = session.scalars(select(HandoffRequest).where(HandoffRequest.resident_id == RESIDENT,
                                                                   HandoffRequest.reason == "reminder_missed")).all()
    assert len(asked_staff) == 1
    time.sleep(2)  # the outbox worker runs every half second: the notice is not sent twice
    assert len([c for c in api.calls("sendMessage") if str(c.chat_id) == str(chat)
                and "提醒没确认" in (c.text or "")]) == 1


def test_a_message_said_at_the_home_kiosk_and_the_spoken_answer_sent_back_as_a_voice_note(family_telegram, stack, client,
                                                                                          db) -> None:
    api, chat = family_telegram.api, new_chat()
    link(api, db, chat, RESIDENT, name="海")
    left = text_of(say(api, chat, "给我爸留言：周六我们回来吃饭", "记下了"))
    assert "小暖会把您的话说给他听：“周六我们回来吃饭”" in left
    timer = HomeTimer(stack.settings.with_overrides(kiosk_mode="home", kiosk_resident_id=RESIDENT), db,
                      monotonic=lambda: 0.0)
    assert timer.due() == MESSAGE_PAYLOAD
    sender = f"kiosk-home-{RESIDENT}-family"
    played = client.send(sender, MESSAGE_PAYLOAD, _home())
    assert played.text.startswith("赵爷爷，您家人给您留了话：“周六我们回来吃饭”。")
    again = client.send(sender, "再听一遍", _home())
    assert "周六我们回来吃饭" in again.text
    since = time.monotonic()
    answered = client.send(sender, "跟他说好的，我包饺子", _home())
    assert answered.text == "好的，我把您的话发给家人了：“好的，我包饺子”"
    voice = api.wait_for(lambda c: c.method == "sendVoice" and str(c.chat_id) == str(chat) and c.at >= since, 60)
    texts = [c.text for c in api.calls("sendMessage") if str(c.chat_id) == str(chat) and c.at >= since]
    assert texts == ["【赵福海回话】赵福海说：“好的，我包饺子”"]
    assert voice.files and next(iter(voice.files.values())).data[:4] == b"OggS"  # real espeak-ng + ffmpeg
