"""Training the model only when its inputs changed (cache by content hash)."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from bot.kernel.settings import PROJECT_ROOT, child_environment, load_settings

# The training data and the code the NLU pipeline runs (its components and the word lists they read).
TRAINING_INPUTS = ("config.yml", "domain", "nlu_data", "bot/core/nlu_components.py", "bot/core/sentence_encoder.py",
                   "bot/kernel/contract.py", "bot/kernel/words")
STAMP_NAME = ".xiaonuan-model.json"


def training_hash(root: Path = PROJECT_ROOT) -> str:
    """Hash of every file that shapes the model (paths and contents)."""
    digest = hashlib.sha256()
    for entry in TRAINING_INPUTS:
        path = root / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()


def current_model(model_dir: Path, wanted_hash: Optional[str] = None) -> Optional[Path]:
    """The trained model for these inputs, or None when it must be trained."""
    stamp = model_dir / STAMP_NAME
    if not stamp.exists():
        return None
    try:
        info = json.loads(stamp.read_text())
    except ValueError:
        return None
    model = model_dir / info.get("model", "")
    wanted = wanted_hash or training_hash()
    if info.get("hash") != wanted or not model.is_file():
        return None
    return model


def train(model_dir: Path, force: bool = False, quiet: bool = True) -> Path:
    """Train when the inputs changed; returns the model's path."""
    wanted = training_hash()
    existing = None if force else current_model(model_dir, wanted)
    if existing is not None:
        return existing
    name = f"xiaonuan-{wanted[:12]}"
    print(f"[train] training data or config changed: training {name} ...", flush=True)
    started = time.monotonic()
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain", "--data", "nlu_data",
        "--out", str(model_dir), "--fixed-model-name", name,
    ]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=quiet, text=True,
                            env=child_environment(load_settings()))
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise RuntimeError("rasa train failed")
    model = model_dir / f"{name}.tar.gz"
    (model_dir / STAMP_NAME).write_text(json.dumps({"hash": wanted, "model": model.name,
                                                    "seconds": round(time.monotonic() - started, 1)}))
    print(f"[train] done in {time.monotonic() - started:.0f} s: {model}", flush=True)
    return model
