"""Speech output with pyttsx3 and espeak-ng's Mandarin voice, owned by one thread.

pyttsx3 engines are not thread-safe, so one worker thread creates the engine
and does all the speaking; other threads only put requests on its queue.
"""
from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import tempfile
import threading
import wave
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from voice.espeak_driver import quiet_driver_prints, settle_function, wait_idle_function

logger = logging.getLogger(__name__)

ALSA_CARDS = Path("/proc/asound/cards")


@dataclass(frozen=True)
class Voice:
    """How to speak: espeak-ng voice id, words per minute and volume in (0, 1]."""

    voice_id: str = "sit/cmn"
    rate: int = 150
    volume: float = 0.7

    def adjusted(self, rate_factor: float, volume: Optional[float]) -> "Voice":
        return Voice(self.voice_id, max(60, int(self.rate * rate_factor)), volume if volume else self.volume)


def audio_output_available() -> bool:
    """True when the machine has a sound card to play speech on."""
    try:
        cards = ALSA_CARDS.read_text()
    except OSError:
        return False
    return "no soundcards" not in cards and cards.strip() != ""


def speech_engine_available() -> bool:
    return shutil.which("espeak-ng") is not None or shutil.which("espeak") is not None


RENDER_ATTEMPTS = 3


def has_audio(path: Path) -> bool:
    """True when the WAV file exists and is not all silence."""
    try:
        with wave.open(str(path)) as audio:
            frames = audio.readframes(audio.getnframes())
    except (OSError, EOFError, wave.Error):
        return False
    return any(frames)


def _player_command(path: Path) -> Optional[list]:
    player = shutil.which("aplay") or shutil.which("paplay")
    if not player:
        return None
    return [player, "-q", str(path)] if player.endswith("aplay") else [player, str(path)]


@dataclass
class _Request:
    text: str
    voice: Voice
    path: Optional[Path]
    done: Future
    generation: int = 0


_STOP = object()


class SpeechOutput:
    """Queue of things to say or to render to WAV files, served by the engine's own thread."""

    def __init__(self, driver: Optional[str] = None) -> None:
        self._driver = driver
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._player: Optional[subprocess.Popen] = None
        self._player_lock = threading.Lock()
        self._generation = 0  # bumped by stop(): requests of an older generation are dropped

    def start(self, timeout_s: float = 10.0) -> "SpeechOutput":
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._serve, name="speech-output", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("speech engine did not start")
        if self._error is not None:
            raise RuntimeError(f"speech engine failed to start: {self._error}") from self._error
        return self

    def _serve(self) -> None:
        try:
            import pyttsx3

            engine = pyttsx3.init(self._driver) if self._driver else pyttsx3.init()
            quiet_driver_prints()
        except BaseException as exc:  # no espeak-ng, no driver: report to start()
            self._error = exc
            self._ready.set()
            return
        settle, wait_idle = settle_function(), wait_idle_function()
        self._ready.set()
        while True:
            request = self._queue.get()
            if request is _STOP:
                break
            if request.path is None and request.generation != self._generation:
                request.done.set_result(None)  # stopped before its turn: never said
                continue
            try:
                engine.setProperty("voice", request.voice.voice_id)
                engine.setProperty("rate", request.voice.rate)
                engine.setProperty("volume", request.voice.volume)
                settle(request.voice.rate, request.voice.volume)
                # Always render to a file: pyttsx3's espeak driver keeps the last file
                # name and would overwrite it on a later say(); playing is aplay's job.
                target = request.path or Path(tempfile.mkstemp(suffix=".wav", prefix="xiaonuan-")[1])
                for _attempt in range(RENDER_ATTEMPTS):
                    engine.save_to_file(request.text, str(target))
                    engine.runAndWait()
                    wait_idle()
                    if has_audio(target):
                        break
                    logger.info("espeak-ng produced no audio for a %d-character answer; rendering again", len(request.text))
                if request.path is None:
                    self._play(target, request.generation)
                request.done.set_result(request.path)
            except BaseException as exc:
                logger.exception("speech failed")
                request.done.set_exception(exc)

    def _play(self, path: Path, generation: int) -> None:
        """Play a WAV file on the default device (unless stopped meanwhile), then delete it."""
        try:
            command = _player_command(path)
            with self._player_lock:
                if command is None or generation != self._generation:
                    return
                self._player = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self._player.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self._player.kill()
        finally:
            with self._player_lock:
                self._player = None
            path.unlink(missing_ok=True)

    @property
    def playing(self) -> bool:
        """True while a sentence is coming out of the speaker."""
        with self._player_lock:
            return self._player is not None and self._player.poll() is None

    def stop(self) -> None:
        """Stop speaking at once: the stop button was pressed, or the person started talking."""
        with self._player_lock:
            self._generation += 1
            if self._player is not None and self._player.poll() is None:
                self._player.terminate()

    def _submit(self, text: str, voice: Voice, path: Optional[Path]) -> Future:
        if self._thread is None:
            self.start()
        done: Future = Future()
        self._queue.put(_Request(text, voice, path, done, self._generation))
        return done

    def say(self, text: str, voice: Voice) -> Future:
        """Speak aloud (returns at once; the future completes when speaking ends)."""
        return self._submit(text, voice, None)

    def to_file(self, text: str, voice: Voice, path: Path, timeout_s: float = 30.0) -> Path:
        """Render speech to a WAV file and wait for it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return self._submit(text, voice, path).result(timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout_s)
        self._thread = None
