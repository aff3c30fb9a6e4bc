"""The kiosk in a terminal: type Chinese, read the answer in large type, hear it where possible."""
from __future__ import annotations

import uuid
from typing import Callable, Optional, TextIO

from bot.core_client import CoreClient, CoreUnavailable, Turn
from bot.metadata import ChannelMetadata
from bot.settings import Settings
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
                 read: Callable[[str], str] = input, out: Optional[TextIO] = None) -> None:
        self.client = client
        self.settings = settings
        self.speaker = speaker
        self.read = read
        self.out = out
        self.sender_id, self.metadata = kiosk_identity(settings)
        self.voice = Voice(settings.speech_voice, settings.speech_rate, settings.speech_volume)
        self.base_voice = self.voice
        self.last_turn: Optional[Turn] = None

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _payload_for(self, line: str) -> str:
        """A typed number picks one of the buttons just shown."""
        if self.last_turn and line.isdigit():
            index = int(line) - 1
            buttons = self.last_turn.buttons
            if 0 <= index < len(buttons):
                return buttons[index].payload
        return line

    def turn(self, text: str) -> Optional[Turn]:
        try:
            turn = self.client.send(self.sender_id, self._payload_for(text), self.metadata)
        except CoreUnavailable:
            self._print(f"\n  小暖：对不起，我现在有点忙，请稍后再试，或者拨打社区电话 {self.settings.community_phone}。\n")
            return None
        if turn.speech is not None:
            self.voice = self.base_voice.adjusted(turn.speech.rate_factor, turn.speech.volume)
        self.last_turn = turn
        self._print(render(turn))
        if self.speaker is not None and turn.text:
            self.speaker.say(turn.text, self.voice)
        return turn

    def run(self) -> None:
        self._print("  小暖已准备好。请输入您想说的话，按回车发送；输入数字选择选项；按 Ctrl-C 退出。")
        self.turn("/greet")
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
