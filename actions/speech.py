"""How answers should be spoken: the speech profile the core sends to channels."""
from __future__ import annotations

from typing import Any, Dict

SPEECH_KEY = "speech"


def speech_profile_message(rate_factor: float, volume: float) -> Dict[str, Any]:
    """A custom message telling channels how to speak to this resident from now on."""
    return {SPEECH_KEY: {"rate_factor": round(float(rate_factor), 2), "volume": round(float(volume), 2)}}
