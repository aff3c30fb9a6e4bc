"""Compare DIETClassifier and LogisticRegressionClassifier on our NLU data.

For each: 5-fold cross-validated intent accuracy and macro-F1, NLU training
time on all data, and model load time. Prints a table and appends it to
docs/benchmarks.md. Takes about 15 minutes on 2 cores (DIET dominates).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, append_section  # noqa: E402

CLASSIFIERS = {
    "LogisticRegressionClassifier": {"name": "LogisticRegressionClassifier", "max_iter": 200, "solver": "lbfgs",
                                     "tol": 0.0001, "random_state": 42},
    "DIETClassifier": {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True,
                       "entity_recognition": False, "random_seed": 42},
}

LOAD_SNIPPET = """
import sys, time
started = time.monotonic()
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
loaded = time.monotonic()
import asyncio
asyncio.run(agent.parse_message("明天中午吃什么"))
print(f"{loaded - started:.2f}")
"""


def config_with(classifier: dict, workdir: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    pipeline = []
    for component in config["pipeline"]:
        if component["name"] in CLASSIFIERS:
            pipeline.append(classifier)
        else:
            pipeline.append(component)
    config["pipeline"] = pipeline
    path = workdir / f"config-{classifier['name']}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def run(command: list) -> float:
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.monotonic() - started


def measure(name: str, classifier: dict, workdir: Path, folds: int) -> dict:
    config = config_with(classifier, workdir)
    out = workdir / f"cv-{name}"
    run([sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "nlu_data/nlu", "--config", str(config),
         "--cross-validation", "--folds", str(folds), "--out", str(out)])
    report = json.loads((out / "intent_report.json").read_text())
    models = workdir / f"models-{name}"
    train_s = run([sys.executable, "-m", "rasa", "train", "nlu", "--nlu", "nlu_data/nlu", "--config", str(config),
                   "--out", str(models), "--fixed-model-name", name])
    model = models / f"{name}.tar.gz"
    load = subprocess.run([sys.executable, "-c", LOAD_SNIPPET, str(model)], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return {
        "accuracy": report["accuracy"],
        "macro_f1": report["macro avg"]["f1-score"],
        "train_s": train_s,
        "load_s": float(load.stdout.strip().splitlines()[-1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, classifier in CLASSIFIERS.items():
            print(f"measuring {name} ...", flush=True)
            figures = measure(name, classifier, Path(tmp), args.folds)
            rows.append(f"| {name} | {figures['accuracy']:.3f} | {figures['macro_f1']:.3f} | "
                        f"{figures['train_s']:.1f} | {figures['load_s']:.1f} |")
    table = [f"{args.folds}-fold cross-validation on `nlu_data/nlu` (intent classification).", "",
             "| classifier | accuracy | macro-F1 | NLU training (s) | model load (s) |",
             "|---|---|---|---|---|"] + rows
    print("\n".join(table))
    append_section("NLU classifiers", table)


if __name__ == "__main__":
    main()
