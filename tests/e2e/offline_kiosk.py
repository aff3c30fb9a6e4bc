"""The whole kiosk with no network: run by tests/e2e/test_offline.py inside `unshare -n`.

Starts the real action server and Rasa server on loopback (the only interface
there is), then runs the voice kiosk loop with recorded transcripts (no Chinese
speech model exists on these machines) and real espeak-ng speech output, and
prints what happened as JSON. Exits non-zero when anything reached for the network.
"""
from __future__ import annotations

import json
import socket
import sys
import tempfile
from pathlib import Path

from actions.db.schema import create_schema
from actions.db.seed import seed_demo_data
from actions.db.session import make_engine, session_factory
from bot.kernel.core_client import CoreClient
from bot.kernel.settings import load_settings
from bot.ops.launcher import start_stack
from bot.ops.training import current_model
from tests.conftest import NOW, TODAY
from tests.unit.voice.test_kiosk_loop import ScriptedListener
from voice.kiosk_loop import KioskTiming, Outcome, Utterance, VoiceKiosk
from voice.screen import Screen
from voice.speech import SpeechOutput


def network_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


def main() -> int:
    settings = load_settings()
    model = current_model(settings.model_dir)
    if model is None:
        print(json.dumps({"error": "no trained model"}))
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'offline.db'}"
        engine = make_engine(url)
        create_schema(engine)
        seed_demo_data(session_factory(engine), TODAY)
        engine.dispose()
        settings = settings.with_overrides(database_url=url, channel_secret="offline", fixed_now=NOW.isoformat(),
                                           kiosk_mode="home", kiosk_resident_id=1)
        with start_stack(settings, model, run_dir=Path(tmp) / "run") as stack:
            listener = ScriptedListener([Utterance(Outcome.SPEECH, "我要订饭"), Utterance(Outcome.SPEECH, "明天"),
                                         Utterance(Outcome.SPEECH, "中午"), Utterance(Outcome.SPEECH, "一份"),
                                         Utterance(Outcome.SPEECH, "去食堂吃"), Utterance(Outcome.SPEECH, "对")],
                                        wakes=1)
            speaker = SpeechOutput().start()
            kiosk = VoiceKiosk(CoreClient(stack.rasa_url, "offline"), settings, listener, Screen(), speaker,
                               KioskTiming(reminder_after_s=0.01, wake_poll_s=0.01))
            kiosk.turn("/greet")
            kiosk.step()
            speaker.close()
            result = {"network": network_reachable(), "answer": kiosk.screen.state.answer}
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["network"] else 0


if __name__ == "__main__":
    sys.exit(main())
