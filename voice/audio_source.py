"""Audio in: WAV files and the microphone, always as fixed-size 16 kHz mono 16-bit frames.

So the recogniser never sees odd rates, channels or block sizes; faults become
`AudioInputError` with a message staff can read, never a hang.
"""
from __future__ import annotations

import audioop  # standard library up to Python 3.12; the project pins 3.10
import contextlib
import queue
import struct
import threading
import time
import wave
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

import numpy as np

from voice.events import SAMPLE_RATE, SAMPLE_WIDTH, AudioFrames

CLIP_LEVEL = 32440  # 99 % of full scale
VOICE_FLATNESS = 0.3  # hiss and white noise measure 0.5-0.6, voiced speech mostly below 0.1
VOICE_LEVEL = 0.003  # RMS below this (about -50 dBFS) is the room, not a voice
UNKNOWN_LENGTH = 0x7FFF0000  # tools that stream WAV to a pipe write sizes this large as placeholders


class AudioInputError(RuntimeError):
    """Audio could not be read; the message is fit to show staff."""


def frame_bytes(frame_seconds: float) -> int:
    samples = round(SAMPLE_RATE * frame_seconds)
    if samples <= 0:
        raise ValueError(f"frame_seconds must be positive, got {frame_seconds}")
    return samples * SAMPLE_WIDTH


def read_wav_as_16k_mono(path: Union[str, Path]) -> bytes:
    """Read a PCM WAV file of any common rate, width and mono/stereo as 16 kHz mono 16-bit."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            declared = wav.getnframes()
            data = wav.readframes(declared)
    except FileNotFoundError as exc:
        raise AudioInputError(f"audio file not found: {path}") from exc
    except (EOFError, struct.error) as exc:
        raise AudioInputError(f"{path.name} is empty or its WAV header is cut short") from exc
    except RuntimeError as exc:  # the chunk module's bare error: a chunk claims more bytes than the file has
        raise AudioInputError(f"{path.name} has a damaged or cut-short WAV header") from exc
    except wave.Error as exc:  # "file does not start with RIFF id", "... chunk missing", "unknown format: 3"
        reason = ("is not a WAV file" if "RIFF" in str(exc) or "WAVE" in str(exc)
                  else "has a damaged or cut-short WAV header" if "chunk missing" in str(exc)
                  else f"is a WAV file the kiosk cannot read ({exc})")
        raise AudioInputError(f"{path.name} {reason}") from exc
    except OSError as exc:
        raise AudioInputError(f"cannot read audio file {path}: {exc.strerror or exc}") from exc
    if channels not in (1, 2):
        raise AudioInputError(f"{path.name} has {channels} channels; only mono or stereo is supported")
    if not 4000 <= rate <= 192000:
        raise AudioInputError(f"{path.name} has an unusual sample rate of {rate} Hz")
    if width > 4:  # audioop converts 8, 16, 24 and 32-bit samples only
        raise AudioInputError(f"{path.name} has {width * 8}-bit samples; only 8, 16, 24 or 32-bit PCM is supported")
    frame_size = channels * width
    frames = len(data) // frame_size
    data = data[: frames * frame_size]
    if frames == 0:
        raise AudioInputError(f"{path.name} contains no audio")
    if frames < declared and declared * frame_size < UNKNOWN_LENGTH:
        raise AudioInputError(f"{path.name} is truncated: its header promises {declared / rate:.1f} s "
                              f"but the file holds {frames / rate:.1f} s")
    # audioop works in native byte order; WAV is little-endian, as are the kiosk's CPUs.
    if width == 1:
        data = audioop.bias(data, 1, -128)  # 8-bit WAV samples are unsigned
    if width != SAMPLE_WIDTH:
        data = audioop.lin2lin(data, width, SAMPLE_WIDTH)
    if channels == 2:
        data = audioop.tomono(data, SAMPLE_WIDTH, 0.5, 0.5)
    if rate != SAMPLE_RATE:
        data, _state = audioop.ratecv(data, SAMPLE_WIDTH, 1, rate, SAMPLE_RATE, None)
    return data


class WavFileSource:
    """A WAV file played as if it came from the microphone (tests, demos, replays)."""

    def __init__(self, path: Union[str, Path], frame_seconds: float = 0.1, realtime: bool = False,
                 trailing_silence_s: float = 0.0) -> None:
        self.frame_seconds = frame_seconds
        self.frame_bytes = frame_bytes(frame_seconds)
        self.realtime = realtime
        self.trailing_silence_s = trailing_silence_s
        self.pcm = read_wav_as_16k_mono(path)  # read now, so a bad file is reported before listening

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (SAMPLE_RATE * SAMPLE_WIDTH)

    def __iter__(self) -> Iterator[AudioFrames]:
        # Trailing silence lets the recogniser find the end of the last utterance.
        pcm = self.pcm + bytes(round(self.trailing_silence_s * SAMPLE_RATE) * SAMPLE_WIDTH)
        pcm += bytes(-len(pcm) % self.frame_bytes)  # pad the last frame with silence
        start = time.monotonic()
        for index, offset in enumerate(range(0, len(pcm), self.frame_bytes)):
            if self.realtime:  # a microphone hands over a frame once it has been recorded
                time.sleep(max(0.0, start + (index + 1) * self.frame_seconds - time.monotonic()))
            yield AudioFrames(pcm[offset : offset + self.frame_bytes])


def _sounddevice() -> Any:
    """Import sounddevice lazily: it raises OSError at import when PortAudio is missing."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioInputError("the sound system is missing (install the libportaudio2 package)") from exc
    except ImportError as exc:
        raise AudioInputError("the sounddevice package is not installed") from exc
    return sounddevice


def microphone_available(device: Optional[Union[int, str]] = None) -> bool:
    """True when an input device can be opened; never raises."""
    try:
        info = _sounddevice().query_devices(device, kind="input")
        return int(info["max_input_channels"]) > 0
    except Exception:  # no PortAudio, no device, a broken driver: all mean "no microphone"
        return False


StreamFactory = Callable[..., Any]
"""(device, blocksize, callback, finished_callback) -> a stream with start() and close(), like PortAudio's."""


def _portaudio_stream(device: Optional[Union[int, str]], blocksize: int, callback: Callable[..., None],
                      finished_callback: Callable[[], None]) -> Any:
    # Opening ALSA's "default" device lets the sound system convert to 16 kHz mono for us.
    sd = _sounddevice()
    if not microphone_available(device):
        raise AudioInputError("no microphone is connected" if device is None else f"microphone {device!r} not found")
    try:
        return sd.RawInputStream(samplerate=SAMPLE_RATE, blocksize=blocksize, device=device, channels=1,
                                 dtype="int16", callback=callback, finished_callback=finished_callback)
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioInputError(f"no microphone could be opened at 16 kHz mono ({exc})") from exc


class MicrophoneSource:
    """Live microphone frames; the PortAudio callback only fills a bounded queue."""

    def __init__(self, device: Optional[Union[int, str]] = None, frame_seconds: float = 0.1,
                 stall_s: float = 2.0, max_queued_s: float = 5.0,
                 stream_factory: Optional[StreamFactory] = None) -> None:
        self.frame_bytes = frame_bytes(frame_seconds)
        self.stall_s = stall_s
        self.dropped = 0
        """Blocks thrown away because the consumer fell behind (the oldest go first)."""
        self._queue: "queue.Queue[bytes]" = queue.Queue(maxsize=max(1, round(max_queued_s / frame_seconds)))
        self._closed = threading.Event()
        self._ended = threading.Event()
        factory = stream_factory or _portaudio_stream
        self._stream = factory(device=device, blocksize=self.frame_bytes // SAMPLE_WIDTH,
                               callback=self._on_audio, finished_callback=self._ended.set)
        try:
            self._stream.start()
        except Exception as exc:  # PortAudio errors are plain Exceptions from sounddevice
            self.close()
            raise AudioInputError(f"the microphone could not be started ({exc})") from exc

    def _on_audio(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if self._queue.full():  # keep the sound current rather than block PortAudio's thread
            self.dropped += 1
            with contextlib.suppress(queue.Empty):
                self._queue.get_nowait()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(bytes(indata))

    def _next_chunk(self) -> Optional[bytes]:
        deadline = time.monotonic() + self.stall_s
        while not self._closed.is_set():
            try:
                return self._queue.get(timeout=max(0.0, min(0.2, deadline - time.monotonic())))
            except queue.Empty:
                pass
            if self._ended.is_set() and not self._closed.is_set():
                raise AudioInputError("the microphone stopped: its sound stream ended (was it unplugged?)")
            if time.monotonic() >= deadline and not self._closed.is_set():
                raise AudioInputError(
                    f"the microphone stopped: no sound arrived for {self.stall_s:g} s (is it still plugged in?)")
        return None

    def __iter__(self) -> Iterator[AudioFrames]:
        buffer = b""
        while True:
            chunk = self._next_chunk()
            if chunk is None:
                return
            buffer += chunk  # PortAudio may hand over blocks of another size than asked for
            while len(buffer) >= self.frame_bytes:
                yield AudioFrames(buffer[: self.frame_bytes])
                buffer = buffer[self.frame_bytes :]

    def flush(self) -> int:
        """Drop the sound recorded so far (the kiosk's own voice while it spoke); returns blocks dropped."""
        dropped = 0
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
                dropped += 1
        return dropped

    def close(self) -> None:
        """Stop recording (use contextlib.closing); an iterator blocked in another thread ends within 0.2 s."""
        self._closed.set()
        with contextlib.suppress(Exception):  # a stream whose device is gone may fail to close
            self._stream.close()


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH], dtype="<i2").astype(np.float64)


def audio_level(pcm: bytes) -> float:
    """Loudness as RMS between 0 and 1, for the screen's level meter."""
    samples = _samples(pcm)
    return min(1.0, float(np.sqrt(np.mean(samples**2))) / 32768.0) if samples.size else 0.0


def is_clipping(pcm: bytes, fraction: float = 0.001) -> bool:
    """True when too many samples hit full scale: the resident is too close or the gain too high."""
    samples = _samples(pcm)
    return int(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL)) > max(1, fraction * samples.size)


def is_voice_like(pcm: bytes) -> bool:
    """True when a frame could be a voice: loud enough and not spectrally flat like hiss.

    Vosk turns hiss into words; the recogniser ignores utterances without voice-like frames.
    """
    samples = _samples(pcm)
    if samples.size < 256 or audio_level(pcm) < VOICE_LEVEL:
        return False
    power = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) ** 2 + 1e-9
    freqs = np.fft.rfftfreq(samples.size, 1.0 / SAMPLE_RATE)
    band = power[(freqs >= 100) & (freqs <= 4000)]  # where voices carry their energy
    return float(np.exp(np.mean(np.log(band))) / np.mean(band)) < VOICE_FLATNESS
