"""Time from `make run` to the kiosk's first prompt, on an already set-up machine.

Runs the real `make run` with a pipe for the keyboard, waits for the prompt
("您说："), sends one message, closes the input (the kiosk says goodbye and
stops every process it started) and prints the figures.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, append_section  # noqa: E402

PROMPT = "您说："


def main() -> None:
    env = dict(os.environ, XIAONUAN_SPEECH="0", PYTHONUNBUFFERED="1")
    started = time.monotonic()
    process = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = bytearray()
    first_prompt = threading.Event()
    prompts = [0]

    def read() -> None:
        while True:
            chunk = process.stdout.read1(4096)
            if not chunk:
                return
            output.extend(chunk)
            prompts[0] = output.decode("utf-8", "replace").count(PROMPT)
            if prompts[0] >= 1:
                first_prompt.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not first_prompt.wait(300):
        process.kill()
        raise SystemExit("no prompt within 300 s:\n" + output.decode("utf-8", "replace")[-2000:])
    to_prompt = time.monotonic() - started
    sent = time.monotonic()
    process.stdin.write("你好\n".encode())
    process.stdin.flush()
    while prompts[0] < 2 and time.monotonic() - sent < 60:
        time.sleep(0.01)
    first_turn = time.monotonic() - sent
    process.stdin.close()
    stopping = time.monotonic()
    process.wait(60)
    stopped = time.monotonic() - stopping
    reader.join(5)
    text = output.decode("utf-8", "replace")
    lines = [
        f"`make run` to the first prompt (set-up, model trained, database seeded): {to_prompt:.1f} s",
        f"first turn at the text kiosk (你好): {first_turn * 1000:.0f} ms",
        f"end of input to every process stopped: {stopped:.1f} s (exit code {process.returncode})",
    ]
    print(text[-1500:])
    print("\n".join(lines))
    append_section("Start-up of make run", lines)


if __name__ == "__main__":
    main()
