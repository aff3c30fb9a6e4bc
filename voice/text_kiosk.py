"""The kiosk in a terminal: type Chinese, read the answer in large type, hear it where possible."""
from __future__ import annotations

import queue
import threading
import time
import uuid
from typing import Any, Callable, Optional, TextIO

from bot.kernel.contract import ChannelMetadata
from bot.kernel.core_client import CoreClient, CoreUnavailable, Turn
from bot.kernel.settings import Settings
from voice.speech import SpeechOutput, Voice

QUIT_WORDS = {"exit", "quit", "退出"}


def kiosk_identity(settings: Settings) -> tuple:
    """Sender id and metadata of this kiosk: bound to one resident at home, anonymous in the community."""
    if settings.kiosk_mode == "home":
        metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=settings.kiosk_resident_id,
                                   kiosk_mode="home", location=settings.kiosk_location)
        return f"kiosk-home-{settings.kiosk_resident_id}", metadata
    metadata = ChannelMetadata(channel="kiosk", role="anonymous", kiosk_mode="community",
                               location=settings.kiosk_location)
    return f"kiosk-community-{uuid.uuid4().hex[:12]}", metadata


def render(turn: Turn) -> str:
    """Answer text framed for reading from a distance, buttons as numbered choices."""
    lines = ["", "  小暖：" + (turn.replies[0].text if turn.replies else "……")]
    lines += ["        " + reply.text for reply in turn.replies[1:]]
    for number, button in enumerate(turn.buttons, start=1):
        lines.append(f"        【{number}】{button.title}")
    lines.append("")
    return "\n".join(lines)


class TextKiosk:
    """One conversation at the terminal; the core holds all dialogue state."""

    def __init__(self, client: CoreClient, settings: Settings, speaker: Optional[SpeechOutput] = None,
                 read: Callable[[str], str] = input, out: Optional[TextIO] = None, screen: Any = None,
                 checkin: Any = None) -> None:
        self.client = client
        self.settings = settings
        self.speaker = speaker
        self.read = read
        self.out = out
        self.sender_id, self.metadata = kiosk_identity(settings)
        self.voice = Voice(settings.speech_voice, settings.speech_rate, settings.speech_volume)
        self.base_voice = self.voice
        self.last_turn: Optional[Turn] = None
        self.screen = screen  # the large-text page mirrors the terminal, and its buttons work too
        self._lock = threading.Lock()
        self._running = threading.Event()
        self.checkin = checkin  # a home kiosk's daily check-in timer (voice/checkin_timer.py), or None

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _payload_for(self, line: str) -> str:
        """A typed number picks one of the buttons just shown ("2", full-width "２", " 2 ").

        isdecimal, not isdigit: "²" passes isdigit() and int() refuses it; such text goes to the core as words.
        """
        number = line.strip()
        if self.last_turn and number.isdecimal() and len(number) <= 3:
            index = int(number) - 1
            buttons = self.last_turn.buttons
            if 0 <= index < len(buttons):
                return buttons[index].payload
        return line

    def turn(self, text: str) -> Optional[Turn]:
        with self._lock:
            return self._turn(text)

    def _turn(self, text: str) -> Optional[Turn]:
        if self.screen is not None:
            self.screen.show(state="thinking", heard=text if not text.startswith("/") else "")
        try:
            turn = self.client.send(self.sender_id, self._payload_for(text), self.metadata)
        except CoreUnavailable:
            self._print(f"\n  小暖：对不起，我现在有点忙，请稍后再试，或者拨打社区电话 {self.settings.community_phone}。\n")
            return None
        if turn.speech is not None:
            self.voice = self.base_voice.adjusted(turn.speech.rate_factor, turn.speech.volume)
        self.last_turn = turn
        self._print(render(turn))
        if self.screen is not None:
            self.screen.show(state="idle", answer=turn.text,
                             buttons=tuple((b.title, b.payload) for b in turn.buttons[:3]))
        if self.speaker is not None and turn.text:
            self.speaker.say(turn.text, self.voice)
        return turn

    def _pump_presses(self) -> None:
        """Buttons pressed on the screen go to the core like typed words."""
        while self._running.is_set():
            try:
                payload = self.screen.presses.get(timeout=0.2)
            except queue.Empty:
                continue
            if payload not in ("listen", "stop"):
                self._print(f"  （屏幕按钮）{payload}")
                self.turn(payload)

    def ask_check_in(self) -> bool:
        """The daily check-in when it is due and nobody is in the middle of a turn; the answer is typed."""
        if self.checkin is None or self._lock.locked():
            return False
        payload = self.checkin.due()
        if payload is None:
            return False
        self.turn(payload)
        return True

    def _watch_check_in(self) -> None:
        while self._running.is_set():
            self.ask_check_in()
            time.sleep(1.0)

    def run(self) -> None:
        self._print("  小暖已准备好。请输入您想说的话，按回车发送；输入数字选择选项；按 Ctrl-C 退出。")
        self._running.set()
        try:
            self._converse()
        finally:
            self._running.clear()

    def _converse(self) -> None:
        self.turn("/greet")
        if self.screen is not None:
            threading.Thread(target=self._pump_presses, name="screen-presses", daemon=True).start()
        if self.checkin is not None:
            threading.Thread(target=self._watch_check_in, name="daily-check-in", daemon=True).start()
        while True:
            try:
                line = self.read("  您说：")
            except (EOFError, KeyboardInterrupt):
                self._print("\n  再见！")
                return
            if line.strip().lower() in QUIT_WORDS:
                self._print("  再见！")
                return
            self.turn(line)
