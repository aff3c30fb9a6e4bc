"""The voice and text kiosks ask the daily check-in on their own when it is due, then hear the answer."""
from __future__ import annotations

import io
from typing import Optional

from bot.kernel.core_client import Button, Reply, Turn
from bot.kernel.settings import load_settings
from tests.unit.voice.test_kiosk_loop import TIMING, Core, ScriptedListener, Speaker
from voice.checkin_timer import CHECK_IN_PAYLOAD
from voice.kiosk_loop import Outcome, Utterance, VoiceKiosk
from voice.screen import Screen
from voice.text_kiosk import TextKiosk

QUESTION = "张奶奶，早上好！今天身体怎么样？"


class Due:
    """A check-in timer fake: due the given number of times."""

    def __init__(self, times: int) -> None:
        self.times = times

    def due(self) -> Optional[str]:
        if self.times:
            self.times -= 1
            return CHECK_IN_PAYLOAD
        return None


class CheckinCore(Core):
    ANSWERS = dict(Core.ANSWERS, **{CHECK_IN_PAYLOAD: Turn((Reply(QUESTION),)),
                                    "挺好的": Turn((Reply("那就好！今天也记得多喝水。有事随时叫我。"),))})


def test_the_voice_kiosk_asks_when_idle_and_listens_for_the_answer() -> None:
    core, speaker = CheckinCore(), Speaker()
    listener = ScriptedListener([Utterance(Outcome.SPEECH, "挺好的")])
    settings = load_settings({"XIAONUAN_KIOSK_RESIDENT_ID": "1"})
    voice = VoiceKiosk(core, settings, listener, Screen(), speaker, TIMING, checkin=Due(1))
    voice.step()
    voice.step()  # not due again: nothing sent
    assert core.sent == [CHECK_IN_PAYLOAD, "挺好的"]
    assert speaker.said == [QUESTION, "那就好！今天也记得多喝水。有事随时叫我。"]
    assert voice.screen.state.state == "idle"


def test_the_text_kiosk_asks_between_turns() -> None:
    core = CheckinCore()
    out = io.StringIO()
    text = TextKiosk(core, load_settings({"XIAONUAN_KIOSK_RESIDENT_ID": "1"}), out=out, checkin=Due(1))
    assert text.ask_check_in() is True and text.ask_check_in() is False
    assert core.sent == [CHECK_IN_PAYLOAD] and QUESTION in out.getvalue()
    assert "/daily_check_in" not in out.getvalue()


class Spoken(Speaker):
    """Records the voice of each sentence too."""

    def __init__(self) -> None:
        super().__init__()
        self.voices: list = []

    def say(self, text, voice):  # type: ignore[no-untyped-def]
        self.voices.append(voice)
        return super().say(text, voice)


class ReminderDue:
    def __init__(self) -> None:
        self.sent = False

    def due(self) -> Optional[str]:
        if self.sent:
            return None
        self.sent = True
        return "/reminder_due"


class ReminderCore(Core):
    ANSWERS = dict(Core.ANSWERS, **{"/reminder_due": Turn((Reply("张奶奶，该吃药了。吃过了就说“吃过了”，要晚一点就说“等一会儿”。",
                                                                 (Button("吃过了", "/reminder_done"),)),)),
                                    "吃过了": Turn((Reply("好的，记下了。您真棒！"),))})


def test_a_due_reminder_is_said_slower_and_louder_than_usual_then_the_usual_voice_answers() -> None:
    core, speaker = ReminderCore(), Spoken()
    listener = ScriptedListener([Utterance(Outcome.SPEECH, "吃过了")])
    settings = load_settings({"XIAONUAN_KIOSK_RESIDENT_ID": "1"})
    voice = VoiceKiosk(core, settings, listener, Screen(), speaker, TIMING, checkin=ReminderDue())
    voice.step()
    assert core.sent == ["/reminder_due", "吃过了"]
    said_due, said_then = speaker.voices
    assert said_due.rate < said_then.rate and said_due.volume > said_then.volume
    assert said_then == voice.base_voice
