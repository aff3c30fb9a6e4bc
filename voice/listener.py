"""Listening at the kiosk: audio source → recognisers, one utterance at a time.

The wake phrase uses a recogniser restricted to a small grammar; a yes/no
answer is recognised twice at once — by the grammar-restricted recogniser and
the open one — and the grammar's word wins when it found one, which cuts
recognition errors on short answers without losing "改成后天".
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Iterator, Optional, Tuple

from bot.kernel.settings import Settings
from voice.audio_source import AudioInputError, MicrophoneSource, audio_level, microphone_available
from voice.events import AudioFrames
from voice.kiosk_loop import Outcome, Utterance
from voice.recognizer import (
    SHORT_ANSWER_GRAMMAR,
    WAKE_GRAMMAR,
    RecognizerUnavailable,
    StreamingRecognizer,
    is_model_dir,
    load_vosk_model,
    strip_cjk_spaces,
    usable_grammar,
)

WAKE_WORD = "小暖"
VOICE_LEVEL = 0.02  # RMS above which someone is talking (for barge-in)


class VoskListener:
    def __init__(self, model: object, frames: Callable[[], Iterable[AudioFrames]], max_utterance_s: float = 30.0) -> None:
        self.model = model
        self._open_frames = frames
        self._source: Optional[Iterable[AudioFrames]] = None
        self._frames: Optional[Iterator[AudioFrames]] = None
        self.max_utterance_s = max_utterance_s
        self.wake_words = usable_grammar(model, WAKE_GRAMMAR)
        self.short_words = usable_grammar(model, SHORT_ANSWER_GRAMMAR)
        self._last_level = 0.0

    def _next(self) -> Optional[AudioFrames]:
        if self._frames is None:
            self._source = self._open_frames()
            self._frames = iter(self._source)
        frames = next(self._frames, None)
        if frames is not None:
            self._last_level = audio_level(frames.pcm)
        return frames

    def wait_for_wake(self, timeout_s: float) -> bool:
        recogniser = StreamingRecognizer(self.model, grammar=self.wake_words)
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                frames = self._next()
                if frames is None:
                    return False
                heard = recogniser.feed(frames)
                if heard is not None and WAKE_WORD in strip_cjk_spaces(heard.text):
                    return True
        except AudioInputError:
            return False
        return False

    def listen(self, timeout_s: float, short_answer: bool, on_partial: Callable[[str], None]) -> Utterance:
        flush = getattr(self._source, "flush", None)
        if flush is not None:
            flush()  # what the microphone heard while the kiosk spoke is the kiosk itself
        open_recogniser = StreamingRecognizer(self.model, max_utterance_s=self.max_utterance_s)
        grammar = StreamingRecognizer(self.model, grammar=self.short_words) if short_answer and self.short_words \
            else None
        deadline = time.monotonic() + timeout_s
        talking = False
        try:
            while True:
                frames = self._next()
                if frames is None:
                    final = open_recogniser.finish()
                    text = strip_cjk_spaces(final.text) if final else ""
                    return Utterance(Outcome.SPEECH, text) if text else Utterance(Outcome.SILENCE)
                short = grammar.feed(frames) if grammar else None
                heard = open_recogniser.feed(frames)
                if heard is not None and not heard.final:
                    talking = True
                    on_partial(strip_cjk_spaces(heard.text))
                if heard is not None and heard.final:
                    return self._result(heard, short)
                if not talking and time.monotonic() > deadline:
                    return Utterance(Outcome.SILENCE)
        except AudioInputError:
            return Utterance(Outcome.NO_MICROPHONE)

    def _result(self, heard: object, short: object) -> Utterance:
        text = strip_cjk_spaces(getattr(heard, "text", ""))
        short_text = strip_cjk_spaces(getattr(short, "text", "") or "").replace("[unk]", "").strip()
        if short_text:
            text = short_text
        return Utterance(Outcome.TOO_LONG if getattr(heard, "too_long", False) else Outcome.SPEECH, text)

    def hears_voice(self) -> bool:
        """Reads the next block from the microphone: is someone talking over the kiosk?"""
        try:
            frames = self._next()
        except AudioInputError:
            return False
        return frames is not None and self._last_level > VOICE_LEVEL


def open_listener(settings: Settings) -> Tuple[Optional[VoskListener], str]:
    """The microphone listener, or None and why the kiosk runs in text mode."""
    if not is_model_dir(settings.vosk_model):
        return None, (f"no Chinese speech model in {settings.vosk_model}: text mode "
                      "(run `xiaonuan voice-model` where the network allows; the download is checked against XIAONUAN_VOSK_MODEL_SHA256)")
    if not microphone_available():
        return None, "no microphone found: text mode"
    try:
        model = load_vosk_model(settings.vosk_model)
    except RecognizerUnavailable as exc:
        return None, f"{exc}: text mode"
    return VoskListener(model, MicrophoneSource), "voice mode: say “小暖” or touch the screen"
