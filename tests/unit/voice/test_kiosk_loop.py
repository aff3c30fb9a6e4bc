"""The kiosk loop's states and timing, with a recogniser fake that returns recorded transcripts."""
from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import List

from bot.kernel.core_client import Button, Reply, Turn
from bot.kernel.settings import load_settings
from voice.kiosk_loop import (
    NOT_HEARD,
    OFFER_STAFF,
    REMINDER,
    TOO_LONG,
    KioskTiming,
    Outcome,
    Utterance,
    VoiceKiosk,
)
from voice.screen import Screen

TIMING = KioskTiming(reminder_after_s=0.01, wake_poll_s=0.01)


class ScriptedListener:
    """Returns recorded utterances in order; the wake phrase is 'heard' while `wakes` lasts."""

    def __init__(self, utterances: List[Utterance], wakes: int = 0, voice: bool = False) -> None:
        self.utterances = list(utterances)
        self.wakes = wakes
        self.voice = voice
        self.short_answer_asked: List[bool] = []

    def wait_for_wake(self, timeout_s: float) -> bool:
        if self.wakes:
            self.wakes -= 1
            return True
        return False

    def listen(self, timeout_s, short_answer, on_partial) -> Utterance:
        self.short_answer_asked.append(short_answer)
        heard = self.utterances.pop(0) if self.utterances else Utterance(Outcome.SILENCE)
        if heard.text:
            on_partial(heard.text[:1])
        return heard

    def hears_voice(self) -> bool:
        return self.voice


class Core:
    """Answers like the real core would, from a table."""

    ANSWERS = {
        "/greet": Turn((Reply("您好，我是小暖。有什么可以帮您？"),)),
        "我要订饭": Turn((Reply("您想订哪一天的？", (Button("明天", "/inform"),)),)),
        "明天": Turn((Reply("我念一下：订明天的午饭，一份。对吗？"),)),
        "对": Turn((Reply("订好了！"),)),
        "救命": Turn((Reply("别着急，我已经通知了社区工作人员。"),)),
        "转人工": Turn((Reply("好的，我已经请社区工作人员尽快给您回电话。"),)),
    }

    def __init__(self) -> None:
        self.sent: List[str] = []

    def send(self, sender_id, text, metadata, message_id=None) -> Turn:
        self.sent.append(text)
        return self.ANSWERS.get(text, Turn((Reply("好的。"),)))


class Speaker:
    def __init__(self, block: bool = False) -> None:
        self.said: List[str] = []
        self.block = block
        self.stopped = threading.Event()
        self.pending: List[Future] = []

    def say(self, text, voice) -> Future:
        self.said.append(text)
        done: Future = Future()
        if not self.block:
            done.set_result(None)
        self.pending.append(done)
        return done

    def stop(self) -> None:
        self.stopped.set()
        for done in self.pending:
            if not done.done():
                done.set_result(None)


def kiosk(listener, speaker=None, core=None):
    return VoiceKiosk(core or Core(), load_settings({}), listener, Screen(), speaker or Speaker(), TIMING)


def test_wake_then_a_booking_without_saying_the_wake_phrase_again() -> None:
    listener = ScriptedListener([Utterance(Outcome.SPEECH, "我要订饭"), Utterance(Outcome.SPEECH, "明天"),
                                 Utterance(Outcome.SPEECH, "对")], wakes=1)
    core, speaker = Core(), Speaker()
    voice = kiosk(listener, speaker, core)
    voice.step()
    assert core.sent == ["我要订饭", "明天", "对"]
    # After "对吗？" the short-answer grammar is used.
    assert listener.short_answer_asked == [False, False, True]
    assert speaker.said[-1] == "订好了！" and voice.screen.state.state == "idle"


def test_silence_after_a_question_gets_one_reminder_then_idle() -> None:
    listener = ScriptedListener([Utterance(Outcome.SPEECH, "我要订饭")], wakes=1)
    speaker = Speaker()
    voice = kiosk(listener, speaker)
    voice.step()
    assert speaker.said == ["您想订哪一天的？", REMINDER]
    assert voice.screen.state.state == "idle"


def test_three_misunderstandings_offer_staff() -> None:
    nothing = Utterance(Outcome.SPEECH, "")
    listener = ScriptedListener([nothing, nothing, nothing], wakes=1)
    speaker = Speaker()
    voice = kiosk(listener, speaker)
    voice.step()
    assert speaker.said == [NOT_HEARD, NOT_HEARD, OFFER_STAFF]
    assert voice.screen.state.buttons == (("请工作人员帮忙", "转人工"),)
    voice.screen.presses.put("转人工")
    core = voice.client
    voice.step()
    assert core.sent[-1] == "转人工"


def test_long_speech_is_cut_politely_and_listening_goes_on() -> None:
    listener = ScriptedListener([Utterance(Outcome.TOO_LONG, "我想问一下"), Utterance(Outcome.SPEECH, "救命")], wakes=1)
    core, speaker = Core(), Speaker()
    kiosk(listener, speaker, core).step()
    assert speaker.said[0] == TOO_LONG and core.sent == ["救命"]


def test_the_red_button_says_what_saying_help_says() -> None:
    core = Core()
    voice = kiosk(ScriptedListener([]), core=core)
    voice.screen.presses.put("救命")
    voice.step()
    assert core.sent == ["救命"] and "通知了社区工作人员" in voice.screen.state.answer


def test_stop_button_silences_at_once() -> None:
    speaker = Speaker(block=True)
    voice = kiosk(ScriptedListener([]), speaker)
    voice.screen.presses.put("stop")
    voice.say("一段很长很长的话")
    assert speaker.stopped.is_set()


def test_barge_in_stops_speaking_when_enabled() -> None:
    speaker = Speaker(block=True)
    voice = VoiceKiosk(Core(), load_settings({}), ScriptedListener([], voice=True), Screen(), speaker,
                       KioskTiming(reminder_after_s=0.01, wake_poll_s=0.01, barge_in=True))
    voice.say("一段很长很长的话")
    assert speaker.stopped.is_set()


def test_no_microphone_keeps_the_buttons_working() -> None:
    listener = ScriptedListener([Utterance(Outcome.NO_MICROPHONE)], wakes=1)
    core = Core()
    voice = kiosk(listener, core=core)
    voice.step()
    assert not voice.microphone and "麦克风" in voice.screen.state.note
    voice.screen.presses.put("我要订饭")
    voice.step()
    assert core.sent == ["我要订饭"]


def test_a_question_followed_by_a_note_still_waits_for_a_reply() -> None:
    from voice.kiosk_loop import asks_question, yes_no_question

    assert asks_question(Turn((Reply("您去食堂吃，还是送到家？送到家加3元送餐费。"),)))
    assert asks_question(Turn((Reply("请选一个", (Button("明天", "/inform"),)),)))
    assert not asks_question(Turn((Reply("订好了！"),)))
    assert yes_no_question(Turn((Reply("我念一下：……一共15元。对吗？"),)))
    assert not yes_no_question(Turn((Reply("您想订哪一天的？"),)))
