"""Telegram voice notes: OGG/Opus in, text out with Vosk; text in, OGG/Opus out with espeak-ng.

ffmpeg does every conversion, as a subprocess without a shell. Nothing is loaded
at import: the Vosk model is loaded on the first voice note, and the speech
engine is started on the first spoken reply.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

from voice.audio_source import WavFileSource, is_voice_like
from voice.events import SAMPLE_RATE
from voice.recognizer import RecognizerUnavailable, is_model_dir, load_vosk_model, recognise_wav, strip_cjk_spaces
from voice.speech import SpeechOutput, Voice, has_audio

if TYPE_CHECKING:
    from bot.kernel.settings import Settings

logger = logging.getLogger(__name__)

MAX_VOICE_SECONDS = 60.0
"""Longest voice note we transcribe; longer ones are refused politely."""

MAX_INPUT_BYTES = 20 * 1024 * 1024
"""The Bot API will not hand bots files larger than this anyway."""

MIN_SECONDS = 0.1
"""Shorter than this is a slip of the thumb, not a message."""

LENGTH_MARGIN_S = 0.5
"""Opus padding may make a note of exactly max_seconds decode a few milliseconds longer."""

DECODE_TIMEOUT_S = 30.0
ENCODE_TIMEOUT_S = 60.0
RENDER_TIMEOUT_S = 60.0  # includes waiting behind other threads' sentences

OPUS_SAMPLE_RATE = 48000
OPUS_BITRATE = "32k"

MESSAGES = {
    "undecodable": "这条语音我打不开，请再录一次，或者直接打字。",
    "too_long": "这条语音太长了，请说短一点（{limit}秒以内），或者直接打字。",
    "empty": "没听到声音，请再说一次。",
    "unclear": "没听清，请再说一次，或者直接打字。",
    "unavailable": "我现在还听不了语音，请直接打字。",
    "synthesis_failed": "语音回复暂时发不出来，我先用文字回复您。",
}


class VoiceNoteError(Exception):
    """A voice note could not be handled; `.message` is a polite Chinese sentence for the family member.

    `.reason` is one of MESSAGES' keys; str(error) is an English detail for the log.
    """

    def __init__(self, reason: str, detail: str = "", limit_s: float = MAX_VOICE_SECONDS) -> None:
        self.reason = reason
        self.message = MESSAGES[reason].format(limit=f"{limit_s:g}")
        super().__init__(detail or reason)


def _ffmpeg() -> Optional[str]:
    return shutil.which("ffmpeg")


def ffmpeg_available() -> bool:
    """True when the ffmpeg program can be found on PATH."""
    return _ffmpeg() is not None


def _run_ffmpeg(args: List[str], timeout_s: float, data: Optional[bytes] = None) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args`; raises FileNotFoundError without ffmpeg, TimeoutExpired when it hangs."""
    command = [_ffmpeg() or "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args]
    stdin = None if data is not None else subprocess.DEVNULL
    return subprocess.run(command, input=data, stdin=stdin, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=timeout_s, check=False)


def _stderr_tail(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace").strip()[-300:]


def wav_seconds(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def _decode_args(target: Path, cap_s: float) -> List[str]:
    # -t caps the output, so ffmpeg stops after cap_s of audio however long the input is.
    return ["-i", "pipe:0", "-map", "0:a:0", "-vn", "-t", f"{cap_s:.3f}", "-ac", "1", "-ar", str(SAMPLE_RATE),
            "-c:a", "pcm_s16le", "-f", "wav", str(target)]


def _convert(data: bytes, target: Path, cap_s: float) -> None:
    try:
        result = _run_ffmpeg(_decode_args(target, cap_s), DECODE_TIMEOUT_S, data)
    except FileNotFoundError as exc:
        raise VoiceNoteError("unavailable", "ffmpeg is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise VoiceNoteError("undecodable", f"ffmpeg took longer than {DECODE_TIMEOUT_S:g} s") from exc
    if result.returncode != 0:
        raise VoiceNoteError("undecodable", f"ffmpeg could not decode the audio: {_stderr_tail(result)}")


def _checked_duration(target: Path, max_seconds: float) -> float:
    try:
        seconds = wav_seconds(target)
    except (OSError, EOFError, wave.Error) as exc:
        raise VoiceNoteError("undecodable", f"ffmpeg wrote no readable WAV ({exc})") from exc
    if seconds < MIN_SECONDS:
        raise VoiceNoteError("empty", f"only {seconds:.3f} s of audio")
    if seconds > max_seconds + LENGTH_MARGIN_S:
        raise VoiceNoteError("too_long", f"longer than {max_seconds:g} s", limit_s=max_seconds)
    return seconds


def decode_to_wav(data: bytes, target: Path, max_seconds: float = MAX_VOICE_SECONDS) -> float:
    """Convert audio ffmpeg can read (Telegram's OGG/Opus) to a 16 kHz mono 16-bit WAV; returns its seconds.

    Raises VoiceNoteError for an empty payload, undecodable bytes, no audio, or audio
    longer than max_seconds (at most max_seconds plus a second is ever decoded).
    """
    if not data:
        raise VoiceNoteError("empty", "the voice note has no bytes")
    if len(data) > MAX_INPUT_BYTES:
        raise VoiceNoteError("too_long", f"{len(data)} bytes of audio", limit_s=max_seconds)
    target = Path(target)
    try:
        _convert(data, target, max_seconds + 2 * LENGTH_MARGIN_S)
        return _checked_duration(target, max_seconds)
    except VoiceNoteError:
        target.unlink(missing_ok=True)
        raise


def has_voice(path: Path) -> bool:
    """True when some 0.1 s of the WAV sounds like a voice rather than silence or hiss."""
    return any(is_voice_like(frames.pcm) for frames in WavFileSource(path))


class VoiceNoteRecognizer:
    """Turns voice notes into text with one Vosk model, loaded on first use and shared by all threads."""

    def __init__(self, model_path: Optional[Path], max_seconds: float = MAX_VOICE_SECONDS) -> None:
        self.model_path = Path(model_path) if model_path is not None else None
        self.max_seconds = max_seconds
        self._model: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: "Settings") -> "VoiceNoteRecognizer":
        return cls(settings.vosk_model)

    @property
    def available(self) -> bool:
        """True when the model directory holds a Vosk model (it may still fail to load)."""
        return is_model_dir(self.model_path)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _get_model(self) -> Any:
        with self._lock:  # one load, however many notes arrive at once
            if self._model is None:
                try:
                    self._model = load_vosk_model(self.model_path)  # type: ignore[arg-type]
                except RecognizerUnavailable as exc:
                    raise VoiceNoteError("unavailable", str(exc)) from exc
            return self._model

    def transcribe(self, ogg_bytes: bytes) -> str:
        """The text of a voice note, CJK spaces removed; raises VoiceNoteError with a message for the user."""
        if not self.available:
            raise VoiceNoteError("unavailable", f"no Vosk model at {self.model_path}")
        with tempfile.TemporaryDirectory(prefix="xiaonuan-voice-in-") as tmp:
            wav = Path(tmp) / "note.wav"
            decode_to_wav(ogg_bytes, wav, self.max_seconds)
            if not has_voice(wav):
                raise VoiceNoteError("empty", "the voice note is silence or noise")
            text = strip_cjk_spaces(recognise_wav(self._get_model(), wav))
        if not text:
            raise VoiceNoteError("unclear", "Vosk heard no words")
        return text


def _encode_args(source: Path, target: Path) -> List[str]:
    return ["-i", str(source), "-vn", "-ac", "1", "-ar", str(OPUS_SAMPLE_RATE), "-c:a", "libopus",
            "-b:a", OPUS_BITRATE, "-application", "voip", "-f", "ogg", str(target)]


def encode_to_ogg(source: Path, target: Path) -> bytes:
    """Encode a WAV file as OGG/Opus (what Telegram plays as a voice note); returns the bytes."""
    try:
        result = _run_ffmpeg(_encode_args(source, target), ENCODE_TIMEOUT_S)
    except (FileNotFoundError, subprocess.TimeoutExpired) as exc:
        raise VoiceNoteError("synthesis_failed", f"ffmpeg could not run ({exc})") from exc
    if result.returncode != 0:
        raise VoiceNoteError("synthesis_failed", f"ffmpeg could not encode Opus: {_stderr_tail(result)}")
    return target.read_bytes()


class VoiceNoteSynthesizer:
    """Speaks replies into OGG/Opus voice notes through one SpeechOutput (its thread owns the engine).

    pyttsx3.init() hands every caller in a process the same engine, and espeak-ng
    itself is process-wide: a process that already has a SpeechOutput (the kiosk)
    passes it as `speech`, so one thread still does all the speaking; close() then
    leaves it running.
    """

    def __init__(self, voice: Optional[Voice] = None, speech: Optional[SpeechOutput] = None) -> None:
        self.voice = voice or Voice()
        self._speech = speech
        self._owns_speech = speech is None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: "Settings") -> "VoiceNoteSynthesizer":
        return cls(Voice(settings.speech_voice, settings.speech_rate, settings.speech_volume))

    def _output(self) -> SpeechOutput:
        with self._lock:
            if self._speech is None:
                try:
                    self._speech = SpeechOutput().start()
                except RuntimeError as exc:
                    raise VoiceNoteError("synthesis_failed", str(exc)) from exc
            return self._speech

    def _render(self, text: str, voice: Voice, path: Path) -> None:
        try:
            self._output().to_file(text, voice, path, timeout_s=RENDER_TIMEOUT_S)
        except VoiceNoteError:
            raise
        except Exception as exc:  # a timeout, or whatever pyttsx3 raised on the engine's thread
            raise VoiceNoteError("synthesis_failed", f"speech rendering failed ({exc!r})") from exc
        if not has_audio(path):
            raise VoiceNoteError("synthesis_failed", "espeak-ng produced no audio")

    def to_ogg(self, text: str, rate_factor: float = 1.0) -> bytes:
        """Speak `text` (rate_factor < 1 is slower) and return an OGG/Opus voice note."""
        if not text.strip():
            raise ValueError("nothing to say")
        voice = self.voice.adjusted(rate_factor, None)
        with tempfile.TemporaryDirectory(prefix="xiaonuan-voice-out-") as tmp:
            wav, ogg = Path(tmp) / "reply.wav", Path(tmp) / "reply.ogg"
            self._render(text.strip(), voice, wav)
            return encode_to_ogg(wav, ogg)

    def close(self) -> None:
        """Stop the speech engine's thread if this synthesizer started it; a later to_ogg starts a new one."""
        if not self._owns_speech:
            return
        with self._lock:
            speech, self._speech = self._speech, None
        if speech is not None:
            speech.close()
