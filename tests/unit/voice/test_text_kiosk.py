"""The terminal kiosk with a core that records what it was sent."""
import io
from typing import List

from bot.kernel.contract import SpeechProfile
from bot.kernel.core_client import Button, CoreUnavailable, Reply, Turn
from bot.kernel.settings import load_settings
from voice.text_kiosk import TextKiosk, kiosk_identity


class RecordingCore:
    def __init__(self) -> None:
        self.sent: List[tuple] = []

    def send(self, sender_id, text, metadata, message_id=None) -> Turn:
        self.sent.append((sender_id, text, metadata))
        if text == "断线":
            raise CoreUnavailable("down")
        return Turn((Reply("您想办哪一件？", (Button("订餐", "/book_meal"), Button("政策咨询", "/ask_policy"))),),
                    SpeechProfile(0.8, 0.9))


class RecordingSpeaker:
    def __init__(self) -> None:
        self.said = []

    def say(self, text, voice) -> None:
        self.said.append((text, voice))


def _kiosk(lines, **env):
    settings = load_settings(env)
    core, speaker, out = RecordingCore(), RecordingSpeaker(), io.StringIO()
    feed = iter(lines)

    def read(prompt: str) -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    return TextKiosk(core, settings, speaker, read=read, out=out), core, speaker, out


def test_session_greets_numbers_pick_buttons_and_speech_follows_profile() -> None:
    kiosk, core, speaker, out = _kiosk(["2", "我想订饭", "断线"], XIAONUAN_KIOSK_RESIDENT_ID="4")
    kiosk.run()
    texts = [text for _, text, _ in core.sent]
    assert texts == ["/greet", "/ask_policy", "我想订饭", "断线"]
    assert core.sent[0][0] == "kiosk-home-4" and core.sent[0][2].resident_id == 4
    assert "【1】订餐" in out.getvalue() and "【2】政策咨询" in out.getvalue()
    assert "稍后再试" in out.getvalue() and "再见" in out.getvalue()
    assert speaker.said[0][1].rate == 120 and speaker.said[0][1].volume == 0.9


def test_community_kiosk_is_anonymous() -> None:
    sender, metadata = kiosk_identity(load_settings({}))
    assert sender.startswith("kiosk-community-") and not metadata.names_a_person


def test_the_screen_mirrors_the_terminal_and_its_buttons_work() -> None:
    import threading
    import time

    from voice.screen import Screen

    screen = Screen()
    release = threading.Event()
    settings = load_settings({})
    core, out = RecordingCore(), io.StringIO()

    def read(prompt: str) -> str:
        release.wait(timeout=10)  # the person at the terminal says nothing until the test is done
        raise EOFError

    kiosk = TextKiosk(core, settings, RecordingSpeaker(), read=read, out=out, screen=screen)
    runner = threading.Thread(target=kiosk.run)
    runner.start()
    screen.presses.put("救命")
    deadline = time.monotonic() + 10
    while len(core.sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    runner.join(timeout=10)
    assert [text for _, text, _ in core.sent] == ["/greet", "救命"]
    assert screen.state.answer == "您想办哪一件？" and screen.state.buttons[0] == ("订餐", "/book_meal")


def test_typed_numbers_pick_buttons_and_odd_digits_go_to_the_core_as_words() -> None:
    # Full-width digits come from Chinese input methods; "²" passes str.isdigit() but is no number.
    kiosk, core, _, out = _kiosk(["２", " 1 ", "²", "9" * 40, "7"], XIAONUAN_KIOSK_RESIDENT_ID="4")
    kiosk.run()
    texts = [text for _, text, _ in core.sent]
    assert texts == ["/greet", "/ask_policy", "/book_meal", "²", "9" * 40, "7"]
    assert "再见" in out.getvalue()
