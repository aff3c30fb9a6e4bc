"""Bad audio at both decoders, fuzzed: the kiosk's WAV reader and the Telegram voice-note decoder.

Random bytes, WAV headers with every field wrong in turn, cut-short files, empty and
huge ones. The kiosk's reader either returns 16 kHz mono 16-bit PCM or raises
AudioInputError (shown to staff as an AudioFault); the voice-note decoder, with the
real ffmpeg, either writes a 16 kHz mono WAV or raises VoiceNoteError, whose
`.message` is the polite Chinese sentence the family member is sent. Nothing else.
"""
from __future__ import annotations

import struct
import subprocess
import wave
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.telegram.voice_notes import (
    MAX_INPUT_BYTES,
    MESSAGES,
    VoiceNoteError,
    VoiceNoteRecognizer,
    decode_to_wav,
    ffmpeg_available,
)
from voice.audio_source import AudioInputError, audio_level, is_clipping, is_voice_like, read_wav_as_16k_mono
from voice.events import AudioFrames
from voice.recognizer import StreamingRecognizer, load_vosk_model

pytestmark = pytest.mark.timeout(240)


def fuzz(examples: int) -> settings:
    """The examples a test tries (see Fuzzing in docs/security.md)."""
    return settings(max_examples=examples, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def riff(fmt_tag: int = 1, channels: int = 1, rate: int = 16000, bits: int = 16, data: bytes = b"",
         declared: Optional[int] = None, block_align: Optional[int] = None, fmt_size: int = 16,
         riff_size: Optional[int] = None, before_data: bytes = b"") -> bytes:
    """A WAV file with every header field given (right or wrong)."""
    width = (bits + 7) // 8
    align = block_align if block_align is not None else (channels * width) & 0xFFFF
    fmt = struct.pack("<HHIIHH", fmt_tag & 0xFFFF, channels & 0xFFFF, rate & 0xFFFFFFFF,
                      (rate * channels * width) & 0xFFFFFFFF, align & 0xFFFF, bits & 0xFFFF)
    fmt = (fmt + bytes(max(0, fmt_size - 16)))[:fmt_size]
    body = (b"WAVE" + b"fmt " + struct.pack("<I", fmt_size) + fmt + before_data
            + b"data" + struct.pack("<I", (len(data) if declared is None else declared) & 0xFFFFFFFF) + data)
    return b"RIFF" + struct.pack("<I", (len(body) if riff_size is None else riff_size) & 0xFFFFFFFF) + body


@st.composite
def wav_files(draw: Any) -> bytes:
    """Mostly well-formed WAV files with one or more fields odd, sometimes cut short."""
    channels = draw(st.one_of(st.sampled_from([1, 2]), st.integers(0, 12), st.integers(0, 0xFFFF)))
    bits = draw(st.one_of(st.sampled_from([8, 16, 24, 32]), st.integers(0, 80)))
    rate = draw(st.one_of(st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000]),
                          st.integers(0, 400_000), st.integers(0, 2 ** 32 - 1)))
    data = draw(st.binary(max_size=6000))
    wav = riff(
        fmt_tag=draw(st.one_of(st.just(1), st.sampled_from([0, 2, 3, 6, 7, 0xFFFE]), st.integers(0, 0xFFFF))),
        channels=channels, rate=rate, bits=bits, data=data,
        declared=draw(st.one_of(st.none(), st.integers(0, 2 ** 32 - 1), st.just(0x7FFFFFFF))),
        block_align=draw(st.one_of(st.none(), st.integers(0, 0xFFFF))),
        fmt_size=draw(st.sampled_from([16, 16, 14, 18, 40, 0])),
        riff_size=draw(st.one_of(st.none(), st.integers(0, 2 ** 32 - 1))),
        before_data=draw(st.sampled_from([b"", b"LIST\x04\x00\x00\x00INFO", b"junk\xff\xff\xff\x7f", b"fact"])),
    )
    cut = draw(st.one_of(st.none(), st.integers(0, len(wav))))
    return wav if cut is None else wav[:cut]


# ---------------------------------------------------------------- the kiosk's WAV reader


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module's files: each example overwrites the last one's."""
    return tmp_path_factory.mktemp("audio")


def _read_kiosk_wav(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "heard.wav"
    path.write_bytes(content)
    try:
        pcm = read_wav_as_16k_mono(path)
    except AudioInputError as refused:
        assert "heard.wav" in str(refused)  # names the file, says what is wrong with it
        return
    assert pcm and len(pcm) % 2 == 0  # 16-bit mono frames


@fuzz(250)
@given(content=wav_files())
@example(content=riff(bits=40, data=bytes(100)))  # 5-byte samples: audioop cannot widen them
@example(content=riff(bits=64, channels=2, data=bytes(160)))
@example(content=riff(rate=0, data=bytes(100)))
@example(content=riff(channels=0, data=bytes(100)))
@example(content=riff(fmt_tag=3, bits=32, data=bytes(100)))  # float WAV
@example(content=riff(data=bytes(100))[:30])  # header cut inside fmt
@example(content=riff(data=bytes(100), declared=10_000))  # promises more than it holds
@example(content=riff(data=bytes(100), before_data=b"junk\xff\xff\xff\x7f"))  # a chunk longer than the file
@example(content=b"")
def test_kiosk_wav_reader_any_header(scratch: Path, content: bytes) -> None:
    _read_kiosk_wav(scratch, content)


@fuzz(100)
@given(content=st.one_of(st.binary(max_size=3000), st.binary(max_size=200).map(lambda b: b"RIFF" + b),
                         st.binary(max_size=200).map(lambda b: b"RIFF\x00\x00\x00\x00WAVE" + b)))
def test_kiosk_wav_reader_random_bytes(scratch: Path, content: bytes) -> None:
    _read_kiosk_wav(scratch, content)


def test_kiosk_wav_reader_huge_file(tmp_path: Path) -> None:
    """Eight minutes of 48 kHz stereo (a few MB more than anyone says to a kiosk) reads, or is refused clearly."""
    frames = 48000 * 60 * 8
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(48000)
        wav.writeframes(bytes(frames * 4))
    assert len(read_wav_as_16k_mono(path)) == pytest.approx(16000 * 60 * 8 * 2, rel=0.001)
    with open(path, "r+b") as raw:  # now claim twice as much as the file holds
        raw.seek(40)
        raw.write(struct.pack("<I", frames * 8))
    with pytest.raises(AudioInputError, match="truncated"):
        read_wav_as_16k_mono(path)


@fuzz(300)
@given(pcm=st.one_of(st.binary(max_size=8000), st.integers(0, 4000).map(bytes),
                     st.integers(0, 2000).map(lambda n: b"\xff\x7f" * n)))
def test_frame_measures_take_any_pcm(pcm: bytes) -> None:
    """What the microphone hands over each 0.1 s: odd lengths, silence, full scale, noise."""
    assert 0.0 <= audio_level(pcm) <= 1.0
    assert is_clipping(pcm) in (True, False)
    assert is_voice_like(pcm) in (True, False)


@pytest.fixture(scope="module")
def vosk_model(korean_model_path) -> Any:
    return load_vosk_model(korean_model_path)


@fuzz(15)  # a Vosk recogniser takes about 0.25 s to make
@given(frames=st.lists(st.one_of(st.binary(max_size=3200), st.integers(0, 3200).map(bytes),
                                 st.integers(0, 1600).map(lambda n: b"\xff\x7f\x01\x80" * n)), max_size=12))
@example(frames=[b"\x01", b"", bytes(3201)])  # odd byte counts reach Vosk only from a broken source
def test_recognizer_takes_any_frames(vosk_model, frames) -> None:
    """The kiosk's streaming recogniser with the real Vosk model: any PCM in, a transcript or nothing out."""
    recognizer = StreamingRecognizer(vosk_model, max_utterance_s=1.0)
    heard = [recognizer.feed(AudioFrames(pcm)) for pcm in frames] + [recognizer.finish()]
    assert all(h is None or isinstance(h.text, str) for h in heard)


# ---------------------------------------------------------------- the Telegram voice-note decoder

needs_ffmpeg = pytest.mark.skipif(not ffmpeg_available(), reason="ffmpeg is not installed")


@pytest.fixture(scope="module")
def real_note(tmp_path_factory) -> bytes:
    """Two seconds of a tone as Telegram sends voice notes: OGG/Opus, made by ffmpeg."""
    path = tmp_path_factory.mktemp("ogg") / "note.ogg"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=300:sample_rate=48000", "-t", "2", "-ac", "1", "-c:a", "libopus", "-b:a", "24k",
                    str(path)], check=True, timeout=30, stdin=subprocess.DEVNULL)
    return path.read_bytes()


@st.composite
def damaged(draw: Any, original: bytes) -> bytes:
    """The real note cut short, with bytes overwritten, or with junk spliced in."""
    note = bytearray(original[: draw(st.integers(0, len(original)))])
    for _ in range(draw(st.integers(0, 8))):
        if note:
            note[draw(st.integers(0, len(note) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(note)))
        note[at:at] = draw(st.binary(max_size=300))
    return bytes(note)


def _decode(tmp_path: Path, data: bytes) -> None:
    target = tmp_path / "note.wav"
    target.unlink(missing_ok=True)
    try:
        seconds = decode_to_wav(data, target, max_seconds=60)
    except VoiceNoteError as refused:
        assert refused.reason in MESSAGES and refused.message in {m.format(limit="60") for m in MESSAGES.values()}
        assert not target.exists(), "a refused note left its WAV behind"
        return
    with wave.open(str(target)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 16000)
    assert 0.1 <= seconds <= 60.5


@needs_ffmpeg
@fuzz(40)
@given(data=st.data())
def test_voice_note_decoder_damaged_notes(scratch: Path, real_note: bytes, data: Any) -> None:
    _decode(scratch, data.draw(damaged(real_note), label="note"))


@needs_ffmpeg
@fuzz(40)
@given(content=st.one_of(st.binary(min_size=1, max_size=4000), wav_files(),
                         st.binary(max_size=400).map(lambda b: b"OggS" + b)))
@example(content=b"\x00")
@example(content=riff(rate=8000, data=bytes(100)))  # 6 ms of silence
@example(content=riff(channels=2, rate=192000, bits=24, data=bytes(192000 * 6)))
def test_voice_note_decoder_random_files(scratch: Path, content: bytes) -> None:
    _decode(scratch, content)


@needs_ffmpeg
def test_voice_note_decoder_empty_huge_and_long(tmp_path: Path) -> None:
    for data, reason in ((b"", "empty"), (bytes(MAX_INPUT_BYTES + 1), "too_long")):
        with pytest.raises(VoiceNoteError) as refused:
            decode_to_wav(data, tmp_path / "note.wav")
        assert refused.value.reason == reason and refused.value.message.endswith("。")
    five_minutes = tmp_path / "long.ogg"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=200",
                    "-t", "300", "-ac", "1", "-c:a", "libopus", "-b:a", "16k", str(five_minutes)],
                   check=True, timeout=60, stdin=subprocess.DEVNULL)
    with pytest.raises(VoiceNoteError) as refused:
        decode_to_wav(five_minutes.read_bytes(), tmp_path / "note.wav")
    assert refused.value.reason == "too_long" and "60秒以内" in refused.value.message


@pytest.fixture(scope="module")
def recognizer(korean_model_path) -> Iterator[VoiceNoteRecognizer]:
    yield VoiceNoteRecognizer(korean_model_path)


@needs_ffmpeg
@fuzz(15)
@given(data=st.data())
def test_voice_note_recognizer_damaged_notes(recognizer, real_note, data) -> None:
    """The whole path with the real Vosk model: some text, or a VoiceNoteError with its Chinese message."""
    try:
        heard = recognizer.transcribe(data.draw(damaged(real_note), label="note"))
    except VoiceNoteError as refused:
        assert refused.message in {m.format(limit="60") for m in MESSAGES.values()}
    else:
        assert heard.strip()
