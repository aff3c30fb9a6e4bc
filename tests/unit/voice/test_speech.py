"""Real espeak-ng speech through pyttsx3, rendered to WAV files."""
import array
import time
import wave

import pytest

from voice.speech import SpeechOutput, Voice, has_audio, speech_engine_available


def test_espeak_ng_is_installed() -> None:
    assert speech_engine_available(), "make test installs espeak-ng (scripts/bootstrap.sh)"


def _stats(path):
    with wave.open(str(path)) as audio:
        frames = audio.readframes(audio.getnframes())
        duration = audio.getnframes() / audio.getframerate()
        width = audio.getsampwidth()
    samples = array.array("h", frames) if width == 2 else array.array("b", frames)
    peak = max(abs(s) for s in samples) if samples else 0
    return duration, peak


@pytest.fixture(scope="module")
def speaker():
    output = SpeechOutput().start()
    yield output
    output.close()


def test_mandarin_sentence_becomes_audible_audio(speaker, tmp_path) -> None:
    path = speaker.to_file("您好，我是小暖。明天中午有清蒸鲈鱼。", Voice(), tmp_path / "a.wav")
    duration, peak = _stats(path)
    assert duration > 1.0 and peak > 1000
    assert has_audio(path)


def test_has_audio_rejects_silence_and_non_wav(tmp_path) -> None:
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * 16000)
    (tmp_path / "text.wav").write_text("not audio")
    assert not has_audio(silent)
    assert not has_audio(tmp_path / "text.wav")
    assert not has_audio(tmp_path / "missing.wav")


def test_slower_rate_makes_longer_audio(speaker, tmp_path) -> None:
    text = "好的，我说慢一点。"
    normal, _ = _stats(speaker.to_file(text, Voice(rate=150), tmp_path / "n.wav"))
    slow, _ = _stats(speaker.to_file(text, Voice().adjusted(0.6, None), tmp_path / "s.wav"))
    assert slow > normal * 1.3, (normal, slow)


def test_volume_changes_amplitude(speaker, tmp_path) -> None:
    _, quiet = _stats(speaker.to_file("大声点", Voice(volume=0.3), tmp_path / "q.wav"))
    _, loud = _stats(speaker.to_file("大声点", Voice(volume=1.0), tmp_path / "l.wav"))
    assert loud > quiet * 1.5


def test_stop_silences_at_once(tmp_path, monkeypatch) -> None:
    """A player that would take 30 s is stopped, and what was queued is not said."""
    player = tmp_path / "aplay"
    player.write_text("#!/bin/sh\nexec sleep 30\n")
    player.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    output = SpeechOutput().start()
    try:
        first = output.say("您好，我是小暖。今天的午饭有清蒸鲈鱼。", Voice())
        second = output.say("这一句不该说出来。", Voice())
        deadline = time.monotonic() + 15
        while not output.playing and time.monotonic() < deadline:  # rendering, then playing
            time.sleep(0.05)
        assert output.playing
        started = time.monotonic()
        output.stop()
        first.result(timeout=5)
        assert second.result(timeout=5) is None
        assert time.monotonic() - started < 3
    finally:
        output.close()
