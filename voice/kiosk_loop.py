"""The voice kiosk: idle → listening → thinking → speaking, gently.

It starts listening on the wake phrase "小暖", a touch on the screen or a key;
after an answer that asks a question it listens again without the wake phrase
(with the short-answer grammar for yes/no questions). No speech for a while:
one gentle reminder, then back to idle. Not understood three times in a row:
it offers a member of staff. Speech that goes on too long is cut politely.
The stop button (or, where enabled, the person talking) silences it at once.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Callable, Optional, Protocol

from bot.kernel.core_client import CoreClient, CoreUnavailable, Turn
from bot.kernel.settings import Settings
from voice.events import KioskState
from voice.screen import Screen
from voice.speech import Voice
from voice.text_kiosk import kiosk_identity

if TYPE_CHECKING:
    from voice.checkin_timer import CheckinTimer

logger = logging.getLogger(__name__)

REMINDER = "您还在吗？请说话，或者点屏幕上的按钮。"
NOT_HEARD = "我没听清，请再说一遍。"
OFFER_STAFF = "我一直没听清。要不要请工作人员帮您？可以点“请工作人员帮忙”。"
TOO_LONG = "您说得有点长，我没记全。请一次说一件事，说短一点。"
NO_MICROPHONE = "没有找到麦克风，请点屏幕上的按钮。"
STAFF_BUTTON = ("请工作人员帮忙", "转人工")
YES_NO_ENDINGS = ("对吗？", "吗？", "好吗？")
# What the kiosk says on its own that must be heard from the next room (a due reminder, the family's words):
# a little slower and louder than the resident's own profile, for that answer only.
EMPHASISED = ("/reminder_due", "/family_message")
EMPHASIS_RATE, EMPHASIS_VOLUME = 0.9, 0.15


class Outcome(str, Enum):
    """What one turn of listening gave."""

    SPEECH = "speech"
    SILENCE = "silence"
    TOO_LONG = "too_long"
    NO_MICROPHONE = "no_microphone"


@dataclass(frozen=True)
class Utterance:
    kind: Outcome
    text: str = ""


class Listener(Protocol):
    def wait_for_wake(self, timeout_s: float) -> bool:
        """True when the wake phrase was heard within the time."""

    def listen(self, timeout_s: float, short_answer: bool, on_partial: Callable[[str], None]) -> Utterance:
        """One utterance; SILENCE when nobody spoke within timeout_s."""

    def hears_voice(self) -> bool:
        """Someone is talking now (for barge-in)."""


class Speaker(Protocol):
    def say(self, text: str, voice: Voice) -> Future: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class KioskTiming:
    """How patient the kiosk is."""

    reminder_after_s: float = 8.0
    """Silence after a question before the one gentle reminder (and again before going idle)."""

    misunderstood_limit: int = 3
    """Utterances in a row with nothing recognised before staff are offered."""

    barge_in: bool = False
    """Stop speaking when the person starts talking (needs a microphone that does not hear the speaker)."""

    wake_poll_s: float = 0.5
    """How long one wait for the wake phrase lasts before presses are checked again."""


def asks_question(turn: Turn) -> bool:
    """The answer waits for a reply: it asks something ("…还是送到家？送到家加3元。") or offers choices."""
    return "？" in turn.text or "?" in turn.text or bool(turn.buttons)


def yes_no_question(turn: Turn) -> bool:
    return any(sentence.endswith(YES_NO_ENDINGS) for sentence in turn.text.replace("\n", "。").split("。"))


class VoiceKiosk:
    def __init__(self, client: CoreClient, settings: Settings, listener: Listener, screen: Screen,
                 speaker: Optional[Speaker] = None, timing: KioskTiming = KioskTiming(),
                 checkin: Optional["CheckinTimer"] = None) -> None:
        self.client, self.settings, self.listener, self.screen = client, settings, listener, screen
        self.checkin = checkin  # a home kiosk's daily check-in (voice/checkin_timer.py)
        self.speaker, self.timing = speaker, timing
        self.sender_id, self.metadata = kiosk_identity(settings)
        self.voice = self.base_voice = Voice(settings.speech_voice, settings.speech_rate, settings.speech_volume)
        self.misunderstood = 0
        self.microphone = True
        self.stopped = threading.Event()

    # -- one turn with the core -------------------------------------------------
    def say(self, text: str, buttons: tuple = ()) -> None:
        """Something the kiosk says on its own (reminders), shown and spoken."""
        self.screen.show(state=KioskState.SPEAKING.value, answer=text, buttons=buttons)
        self._speak(text)

    def turn(self, text: str) -> Optional[Turn]:
        self.screen.show(state=KioskState.THINKING.value, heard="" if text.startswith("/") else text)
        emphasis = text in EMPHASISED
        try:
            turn = self.client.send(self.sender_id, text, self.metadata)
        except CoreUnavailable:
            self.say(f"对不起，我现在有点忙，请稍后再试，或者拨打社区电话{self.settings.community_phone}。")
            return None
        if turn.speech is not None:
            self.voice = self.base_voice.adjusted(turn.speech.rate_factor, turn.speech.volume)
        self.screen.show(state=KioskState.SPEAKING.value, answer=turn.text,
                         buttons=tuple((b.title, b.payload) for b in turn.buttons[:3]))
        usual = self.voice
        if emphasis:
            self.voice = usual.adjusted(EMPHASIS_RATE, min(1.0, usual.volume + EMPHASIS_VOLUME))
        try:
            self._speak(turn.text)
        finally:
            self.voice = usual
        return turn

    def _speak(self, text: str) -> None:
        if self.speaker is None or not text:
            return
        done = self.speaker.say(text, self.voice)
        while not done.done():
            if self._pressed("stop") or (self.timing.barge_in and self.listener.hears_voice()):
                self.speaker.stop()
                break
            time.sleep(0.05)

    def _pressed(self, wanted: str) -> bool:
        try:
            press = self.screen.presses.get_nowait()
        except queue.Empty:
            return False
        if press == wanted:
            return True
        self.screen.presses.put(press)  # not for us: keep it for the main loop
        return False

    # -- listening ----------------------------------------------------------------
    def converse(self, short_answer: bool = False) -> None:
        """Listen, answer, and listen again while the answers ask questions."""
        reminded = False
        while not self.stopped.is_set():
            self.screen.show(state=KioskState.LISTENING.value, heard="")
            heard = self.listener.listen(self.timing.reminder_after_s, short_answer,
                                         lambda partial: self.screen.show(heard=partial))
            if heard.kind is Outcome.NO_MICROPHONE:
                self.microphone = False
                self.screen.show(state=KioskState.IDLE.value, note=NO_MICROPHONE)
                return
            if heard.kind is Outcome.SILENCE:
                if reminded:
                    self.screen.show(state=KioskState.IDLE.value)
                    return
                reminded = True
                self.say(REMINDER)
                continue
            if heard.kind is Outcome.TOO_LONG:
                self.say(TOO_LONG)
                continue
            if not heard.text.strip():
                self.misunderstood += 1
                if self.misunderstood >= self.timing.misunderstood_limit:
                    self.misunderstood = 0
                    self.say(OFFER_STAFF, buttons=(STAFF_BUTTON,))
                    self.screen.show(state=KioskState.IDLE.value)
                    return
                self.say(NOT_HEARD)
                continue
            self.misunderstood, reminded = 0, False
            turn = self.turn(heard.text)
            if turn is None or not asks_question(turn):
                self.screen.show(state=KioskState.IDLE.value)
                return
            short_answer = yes_no_question(turn)

    def step(self) -> None:
        """Wait for something to start a conversation: a press, a touch, the wake phrase, or the daily check-in."""
        if self.checkin is not None and self.ask_check_in():
            return
        try:
            press = self.screen.presses.get(timeout=0.05)
        except queue.Empty:
            press = None
        if press == "listen" and self.microphone:
            self.converse()
        elif press and press not in ("listen", "stop"):
            turn = self.turn(press)
            if turn is not None and asks_question(turn) and self.microphone:
                self.converse(short_answer=yes_no_question(turn))
            else:
                self.screen.show(state=KioskState.IDLE.value)
        elif self.microphone and self.listener.wait_for_wake(self.timing.wake_poll_s):
            self.converse()

    def ask_check_in(self) -> bool:
        """While idle, the daily check-in when it is due: asked, then listened for like any question."""
        payload = self.checkin.due() if self.checkin is not None else None
        if payload is None:
            return False
        turn = self.turn(payload)
        if turn is not None and asks_question(turn) and self.microphone:
            self.converse(short_answer=False)
        else:
            self.screen.show(state=KioskState.IDLE.value)
        return True

    def run(self) -> None:
        self.turn("/greet")
        self.screen.show(state=KioskState.IDLE.value)
        while not self.stopped.is_set():
            self.step()
