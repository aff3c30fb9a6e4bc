"""`make demo-voice`: a few Chinese requests spoken by espeak-ng go through the kiosk pipeline,
and the kiosk's spoken answers are saved as WAV files (and played where there is a sound card).

Each request is spoken to a WAV file and read by the audio source as 16 kHz mono.
With a Chinese Vosk model the recogniser turns it into text; without one (these
machines cannot download it) the demo uses the request's transcript — the text
path — and says so. The answers come from the real core on a throwaway copy of
the demo district.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional

from bot.kernel.contract import ChannelMetadata
from bot.kernel.core_client import CoreClient
from bot.kernel.settings import PROJECT_ROOT, load_settings
from bot.ops.launcher import start_demo_stack
from voice.audio_source import read_wav_as_16k_mono
from voice.recognizer import is_model_dir
from voice.speech import SpeechOutput, Voice, audio_output_available

REQUESTS = ["你好", "明天中午吃什么", "帮我订后天两份晚饭送到家", "对", "帮我约个助浴，后天上午来", "对",
            "高龄津贴怎么领", "谢谢"]
OUT = PROJECT_ROOT / "var" / "demo-voice"
FROZEN_NOW = "2026-11-23T08:00"  # a Monday morning: every meal asked for can still be booked


def speak_to_wav(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "cmn", "-s", "140", "-w", str(path), text], check=True, timeout=30)
    return path


def run_demo(out: Path = OUT, requests: Optional[List[str]] = None) -> List[dict]:
    settings = load_settings()
    model = None
    if is_model_dir(settings.vosk_model):
        from voice.recognizer import load_vosk_model

        model = load_vosk_model(settings.vosk_model)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    speaker = SpeechOutput().start()
    voice = Voice(settings.speech_voice, settings.speech_rate, settings.speech_volume)
    metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=1, kiosk_mode="home", location="演示")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stack, _ = start_demo_stack(Path(tmp), "demo-secret", FROZEN_NOW)
            with stack:
                client = CoreClient(stack.rasa_url, "demo-secret")
                for number, text in enumerate(requests or REQUESTS, start=1):
                    said = speak_to_wav(text, out / f"{number:02d}-request.wav")
                    seconds = len(read_wav_as_16k_mono(said)) / 32000
                    if model is not None:
                        from voice.recognizer import recognise_wav

                        heard, path = recognise_wav(model, said), "Vosk"
                    else:
                        heard, path = text, "text path (no Chinese model)"
                    turn = client.send("demo-voice", heard, metadata)
                    answer = out / f"{number:02d}-answer.wav"
                    speaker.to_file(turn.text, voice, answer)
                    if audio_output_available():
                        speaker.say(turn.text, voice).result(timeout=60)
                    rows.append({"request": text, "seconds": round(seconds, 1), "heard": heard, "via": path,
                                 "answer": turn.text, "wav": str(answer)})
    finally:
        speaker.close()
    return rows


def main() -> int:
    rows = run_demo()
    for row in rows:
        print(f"\n说：{row['request']}（{row['seconds']} 秒，{row['via']}）\n听到：{row['heard']}\n小暖：{row['answer']}"
              f"\n  → {row['wav']}")
    print(f"\nWAV files of the requests and the answers are in {OUT}.")
    return 0
