"""Listening with the real recogniser and the real Korean Vosk model on espeak-ng speech."""
from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from bot.kernel.settings import load_settings
from voice.audio_source import WavFileSource
from voice.kiosk_loop import Outcome
from voice.listener import VoskListener, open_listener
from voice.recognizer import load_vosk_model


@pytest.fixture(scope="module")
def model(korean_model_path):
    return load_vosk_model(korean_model_path)


def _korean(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "korean.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", str(path), text], check=True, timeout=30)
    return path


def _silence(tmp_path: Path, seconds: float) -> Path:
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))
    return path


def test_an_utterance_is_heard_with_partials(model, tmp_path) -> None:
    wav = _korean(tmp_path, "안녕하세요")
    listener = VoskListener(model, lambda: iter(WavFileSource(wav, trailing_silence_s=1.0)))
    partials = []
    heard = listener.listen(timeout_s=5, short_answer=False, on_partial=partials.append)
    # espeak-ng's Korean is robotic: the model hears "아 휴 영파 하세요" — the ending is reliable.
    assert heard.kind is Outcome.SPEECH and "하세요" in heard.text
    assert partials


def test_silence_is_silence(model, tmp_path) -> None:
    listener = VoskListener(model, lambda: iter(WavFileSource(_silence(tmp_path, 3.0))))
    assert listener.listen(timeout_s=1, short_answer=False, on_partial=lambda _: None).kind is Outcome.SILENCE


def test_no_wake_phrase_in_other_words(model, tmp_path) -> None:
    listener = VoskListener(model, lambda: iter(WavFileSource(_korean(tmp_path, "감사합니다"))))
    assert listener.wait_for_wake(timeout_s=5) is False


def test_an_unplugged_microphone_is_reported(model) -> None:
    from voice.audio_source import AudioInputError

    def unplugged():
        raise AudioInputError("the microphone stopped delivering sound")
        yield  # pragma: no cover

    listener = VoskListener(model, unplugged)
    assert listener.listen(timeout_s=1, short_answer=False, on_partial=lambda _: None).kind is Outcome.NO_MICROPHONE


def test_without_a_chinese_model_the_kiosk_runs_in_text_mode(tmp_path) -> None:
    listener, note = open_listener(load_settings({"XIAONUAN_VOSK_MODEL": str(tmp_path / "none")}))
    assert listener is None and "text mode" in note


def test_what_the_microphone_heard_while_speaking_is_dropped(model, tmp_path) -> None:
    """The kiosk's own words, queued while it spoke, are not taken for the resident's."""
    from voice.audio_source import MicrophoneSource

    class Stream:
        def __init__(self, **kwargs) -> None:
            self.callback = kwargs["callback"]

        def start(self) -> None:
            pass

        def close(self) -> None:
            pass

    source = MicrophoneSource(stream_factory=lambda **kwargs: Stream(**kwargs), stall_s=0.3)
    speech = WavFileSource(_korean(tmp_path, "감사합니다")).pcm
    for start in range(0, len(speech), 3200):  # the kiosk's voice reaches the microphone
        source._on_audio(speech[start:start + 3200], 1600, None, None)
    listener = VoskListener(model, lambda: source)
    listener._next()  # the source is open
    queued = source._queue.qsize()
    heard = listener.listen(timeout_s=0.2, short_answer=False, on_partial=lambda _: None)
    assert queued > 10 and source._queue.qsize() == 0
    assert heard.text == ""  # nothing of the kiosk's words (and then no more sound: the microphone stopped)
    assert heard.kind is Outcome.NO_MICROPHONE
