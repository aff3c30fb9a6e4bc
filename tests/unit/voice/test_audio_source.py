"""Audio in: WAV files of every common kind are made here at test time and read as 16 kHz mono."""
from __future__ import annotations

import importlib.abc
import math
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Any, Callable, List, Optional

import numpy as np
import pytest

from voice.audio_source import (
    AudioInputError,
    MicrophoneSource,
    WavFileSource,
    audio_level,
    is_clipping,
    is_voice_like,
    microphone_available,
    read_wav_as_16k_mono,
)
from voice.events import AudioFrames

RATE = 16000
pytestmark = pytest.mark.timeout(30)  # no test may hang, whatever the audio system does

FRAME = 3200  # bytes in 0.1 s of 16 kHz 16-bit mono


def write_wav(path: Path, samples: np.ndarray, rate: int, width: int = 2, channels: int = 1) -> Path:
    """Samples are floats in [-1, 1], shaped (n,) or (n, channels)."""
    scaled = np.clip(samples, -1.0, 1.0)
    if width == 1:
        data = np.round(scaled * 127 + 128).astype(np.uint8).tobytes()
    else:
        dtype = {2: "<i2", 4: "<i4"}[width]
        data = np.round(scaled * (2 ** (8 * width - 1) - 1)).astype(dtype).tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(data)
    return path


def sine(seconds: float, rate: int, freq: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * math.pi * freq * t)


def as_array(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def dominant_frequency(pcm: bytes) -> float:
    samples = as_array(pcm)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(samples.size, 1 / RATE)[int(np.argmax(spectrum))])


def assert_16k_mono(pcm: bytes, seconds: float) -> None:
    assert len(pcm) % 2 == 0
    assert abs(len(pcm) / 2 / RATE - seconds) <= 0.02 * seconds, (len(pcm) / 2 / RATE, seconds)


@pytest.mark.parametrize(
    "rate,width,channels",
    [(16000, 2, 1), (8000, 2, 1), (22050, 2, 1), (44100, 2, 1), (48000, 2, 2), (22050, 1, 1), (16000, 4, 2)],
)
def test_common_wav_formats_become_16k_mono_16bit(tmp_path: Path, rate: int, width: int, channels: int) -> None:
    tone = sine(1.5, rate, freq=440.0, amplitude=0.5)
    samples = np.stack([tone] * channels, axis=1) if channels == 2 else tone
    pcm = read_wav_as_16k_mono(write_wav(tmp_path / "in.wav", samples, rate, width, channels))
    assert_16k_mono(pcm, 1.5)
    assert abs(dominant_frequency(pcm) - 440.0) < 5  # the pitch survives: the rate conversion is right
    assert abs(audio_level(pcm) - 0.5 / math.sqrt(2)) < 0.03  # so does the loudness
    assert abs(as_array(pcm).mean()) < 200  # 8-bit WAV is unsigned: no offset left behind


def test_stereo_is_mixed_to_mono(tmp_path: Path) -> None:
    left = sine(1.0, 44100, amplitude=0.8)
    pcm = read_wav_as_16k_mono(write_wav(tmp_path / "s.wav", np.stack([left, 0 * left], axis=1), 44100, 2, 2))
    assert_16k_mono(pcm, 1.0)
    assert abs(audio_level(pcm) - 0.4 / math.sqrt(2)) < 0.03


def test_silence_noise_and_clipping_are_measured(tmp_path: Path) -> None:
    silence = read_wav_as_16k_mono(write_wav(tmp_path / "silence.wav", np.zeros(RATE), RATE))
    assert silence == bytes(2 * RATE) and audio_level(silence) == 0.0 and not is_clipping(silence)
    noise = np.random.default_rng(7).normal(0, 0.1, 2 * RATE)
    noisy = read_wav_as_16k_mono(write_wav(tmp_path / "noise.wav", noise, RATE))
    assert abs(audio_level(noisy) - 0.1) < 0.01 and not is_clipping(noisy)
    assert not any(is_voice_like(noisy[i : i + FRAME]) for i in range(0, len(noisy), FRAME))
    clipped = read_wav_as_16k_mono(write_wav(tmp_path / "clipped.wav", sine(1.0, RATE, amplitude=2.0), RATE))
    assert is_clipping(clipped) and not is_clipping(read_wav_as_16k_mono(
        write_wav(tmp_path / "loud.wav", sine(1.0, RATE, amplitude=0.9), RATE)))


def test_espeak_speech_is_read_and_sounds_like_a_voice(tmp_path: Path) -> None:
    path = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "cmn", "-w", str(path), "小暖你好"], check=True, timeout=30)
    with wave.open(str(path)) as original:
        seconds = original.getnframes() / original.getframerate()
        assert original.getframerate() == 22050  # espeak-ng's own rate: the conversion is exercised
    pcm = read_wav_as_16k_mono(path)
    assert_16k_mono(pcm, seconds)
    frames = [pcm[i : i + FRAME] for i in range(0, len(pcm) - FRAME + 1, FRAME)]
    assert sum(is_voice_like(f) for f in frames) >= 3 and audio_level(pcm) > 0.02


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty or its WAV header is cut short"),
        ("这不是声音文件，只是文字。".encode() * 10, "not a WAV file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "damaged or cut-short WAV header"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00", "empty or its WAV header is cut short"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioInputError, match=message):
        read_wav_as_16k_mono(path)
    with pytest.raises(AudioInputError):
        WavFileSource(path)


def test_missing_truncated_and_zero_frame_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AudioInputError, match="not found"):
        read_wav_as_16k_mono(tmp_path / "missing.wav")
    full = write_wav(tmp_path / "full.wav", sine(2.0, RATE), RATE).read_bytes()
    (tmp_path / "cut.wav").write_bytes(full[: len(full) // 2])
    with pytest.raises(AudioInputError, match=r"truncated: its header promises 2\.0 s but the file holds 1\.0 s"):
        read_wav_as_16k_mono(tmp_path / "cut.wav")
    with pytest.raises(AudioInputError, match="contains no audio"):
        read_wav_as_16k_mono(write_wav(tmp_path / "none.wav", np.zeros(0), RATE))


def test_wav_source_yields_fixed_frames_and_trailing_silence(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", sine(1.05, 8000), 8000)
    frames = list(WavFileSource(path, trailing_silence_s=0.5))
    assert all(isinstance(f, AudioFrames) and f.sample_rate == RATE and len(f.pcm) == FRAME for f in frames)
    assert len(frames) == 16  # 1.05 s rounds up to 11 frames, then 5 of silence
    assert all(f.pcm == bytes(FRAME) for f in frames[11:])
    assert {len(f.pcm) for f in WavFileSource(path, frame_seconds=0.02)} == {640}


def test_realtime_wav_source_paces_like_a_microphone(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", sine(0.5, RATE), RATE)
    start = time.monotonic()
    assert len(list(WavFileSource(path, realtime=True))) == 5
    assert 0.45 <= time.monotonic() - start < 2.0


def bounded(action: Callable[[], Any], timeout_s: float) -> Any:
    """Run in a thread; fail the test rather than hang when it does not finish in time."""
    outcome: List[Any] = []

    def run() -> None:
        try:
            outcome.append(("value", action()))
        except BaseException as exc:  # handed back to the test thread
            outcome.append(("error", exc))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout_s)
    assert not worker.is_alive(), f"still running after {timeout_s} s"
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


def test_no_microphone_here_is_reported_quickly() -> None:
    assert bounded(microphone_available, 10.0) is False
    start = time.monotonic()
    with pytest.raises(AudioInputError, match="no microphone is connected|install the libportaudio2 package"):
        bounded(lambda: list(MicrophoneSource(stall_s=1.0)), 10.0)
    assert time.monotonic() - start < 5.0


class NoPortAudio(importlib.abc.MetaPathFinder):
    """Makes `import sounddevice` fail as it does on a machine without libportaudio2."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_missing_portaudio_means_no_microphone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    assert microphone_available() is False
    with pytest.raises(AudioInputError, match="install the libportaudio2 package"):
        MicrophoneSource()


class FakeStream:
    """Stands in for PortAudio: calls the callback from its own thread like a sound card."""

    def __init__(self, callback: Callable[..., None], finished_callback: Callable[[], None],
                 blocks: List[bytes], end: bool, **_: Any) -> None:
        self.callback, self.finished, self.blocks, self.end = callback, finished_callback, blocks, end
        self.closed = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        for block in self.blocks:
            if self.closed.wait(0.01):
                return
            self.callback(block, len(block) // 2, None, None)
        if self.end:
            self.finished()

    def close(self) -> None:
        self.closed.set()


def fake_factory(blocks: List[bytes], end: bool = False, made: Optional[list] = None) -> Callable[..., FakeStream]:
    def factory(**kwargs: Any) -> FakeStream:
        stream = FakeStream(blocks=blocks, end=end, **kwargs)
        if made is not None:
            made.append(stream)
        return stream
    return factory


def test_a_stalled_microphone_raises_after_stall_s() -> None:
    blocks = [bytes([i]) * 1000 for i in range(1, 8)]  # odd block sizes, as some drivers deliver
    source = MicrophoneSource(stall_s=0.5, stream_factory=fake_factory(blocks))
    received: List[AudioFrames] = []

    def consume() -> None:
        for frames in source:
            received.append(frames)

    start = time.monotonic()
    with pytest.raises(AudioInputError, match="the microphone stopped: no sound arrived for 0.5 s"):
        bounded(consume, 10.0)
    assert 0.5 <= time.monotonic() - start < 3.0
    assert len(received) == 2 and all(len(f.pcm) == FRAME for f in received)  # 7000 bytes → 2 full frames
    source.close()


def test_an_unplugged_microphone_raises_at_once() -> None:
    source = MicrophoneSource(stall_s=30.0, stream_factory=fake_factory([bytes(FRAME)] * 3, end=True))
    start = time.monotonic()
    with pytest.raises(AudioInputError, match="unplugged"):
        bounded(lambda: list(source), 10.0)
    assert time.monotonic() - start < 2.0


def test_close_ends_an_iterator_waiting_in_another_thread() -> None:
    made: List[FakeStream] = []
    source = MicrophoneSource(stall_s=30.0, stream_factory=fake_factory([bytes(FRAME)] * 2, made=made))
    worker = threading.Thread(target=lambda: list(source), daemon=True)
    worker.start()
    time.sleep(0.2)
    source.close()
    worker.join(5.0)
    assert not worker.is_alive() and made[0].closed.is_set()


def test_a_slow_consumer_loses_the_oldest_audio_not_the_newest() -> None:
    blocks = [bytes([i]) * FRAME for i in range(1, 11)]
    source = MicrophoneSource(max_queued_s=0.3, stall_s=0.3, stream_factory=fake_factory(blocks))
    time.sleep(0.5)  # nobody reads while ten blocks arrive
    received: List[int] = []

    def consume() -> None:
        for frames in source:
            received.append(frames.pcm[0])

    with pytest.raises(AudioInputError):
        bounded(consume, 10.0)
    assert received == [8, 9, 10] and source.dropped == 7
    source.close()
