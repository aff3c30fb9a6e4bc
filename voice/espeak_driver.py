"""Workarounds for pyttsx3 2.99's espeak-ng driver, measured against real audio.

pyttsx3 runs espeak-ng in its asynchronous mode: parameter changes and the end of
an utterance happen on espeak's own thread. Without these waits a rate or volume
change landed one utterance late about one time in twenty, and short utterances
came out silent about one time in four (tests/unit/voice/test_speech.py).
"""
from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def quiet_driver_prints() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." on stdout, over the kiosk's screen."""
    try:
        from pyttsx3.drivers import espeak as driver_module
    except ImportError:
        return
    driver_module.print = lambda *args, **kwargs: logger.debug(" ".join(str(a) for a in args))


def wait_idle_function(timeout_s: float = 2.0):  # type: ignore[no-untyped-def]
    """Wait until espeak-ng's own thread has finished the last utterance.

    pyttsx3's run loop cancels synthesis when espeak still reports "playing" as
    it starts, which left an empty file now and then.
    """
    try:
        from pyttsx3.drivers import _espeak

        is_playing = _espeak.IsPlaying
    except (ImportError, AttributeError, OSError):
        return lambda: None

    def wait() -> None:
        deadline = time.monotonic() + timeout_s
        while is_playing() and time.monotonic() < deadline:
            time.sleep(0.002)

    return wait


def settle_function(timeout_s: float = 0.5):  # type: ignore[no-untyped-def]
    """Wait until espeak-ng uses the rate and volume just set.

    pyttsx3 runs espeak-ng in its asynchronous mode, where a parameter change is
    applied later by espeak's own thread; synthesising at once made a "speak
    slower" land one utterance late now and then.
    """
    try:
        import ctypes

        from pyttsx3.drivers import _espeak

        # pyttsx3 declares espeak_GetParameter with one argument; the C function takes
        # (parameter, current) and only current=1 tells what is in use now.
        get_parameter = _espeak.dll.espeak_GetParameter
        get_parameter.argtypes = (ctypes.c_int, ctypes.c_int)
        get_parameter.restype = ctypes.c_int
        rate_id, volume_id = _espeak.RATE, _espeak.VOLUME
    except (ImportError, AttributeError, OSError):
        return lambda rate, volume: None

    def settle(rate: int, volume: float) -> None:
        wanted = {rate_id: rate, volume_id: int(round(volume * 100, 2))}  # as pyttsx3 sets them
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and any(get_parameter(k, 1) != v for k, v in wanted.items()):
            time.sleep(0.002)

    return settle
