"""Typed messages passed between the stages of the voice kiosk.

Stages only exchange these frozen values, so each stage can be tested alone
and the kiosk loop can log or replay what happened.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

SAMPLE_RATE = 16000
"""Every stage after the audio source works at 16 kHz, the rate Vosk models expect."""

SAMPLE_WIDTH = 2
"""Bytes per sample: 16-bit signed little-endian PCM."""


class KioskState(Enum):
    """What the kiosk is doing, shown on screen so a resident knows when to talk."""

    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


@dataclass(frozen=True)
class AudioFrames:
    """A block of 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int = SAMPLE_RATE

    @property
    def samples(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate


@dataclass(frozen=True)
class Heard:
    """A transcript: partial while the resident talks, final at the end of an utterance."""

    text: str
    final: bool
    seconds: float
    """Length of the utterance's audio so far, leading silence included."""

    too_long: bool = False
    """The utterance was cut at the recogniser's time limit; the kiosk should ask for something shorter."""


@dataclass(frozen=True)
class AudioFault:
    """The audio input failed; `message` is fit to show staff on the screen."""

    message: str
