"""Installing the production speech model: vosk-model-small-cn-0.22 from its official address,
verified against a SHA-256 from a trusted source before anything is unpacked."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path

import requests

from voice.recognizer import is_model_dir

OFFICIAL_URL = "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
OFFICIAL_BYTES = 43_898_754  # the official archive's size: a download of any other size is refused unread


class ModelSetupError(RuntimeError):
    """The model could not be installed; the message says why and what happens instead."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_model(target: Path, sha256: str, url: str = OFFICIAL_URL, timeout_s: float = 15.0) -> Path:
    """Download, verify and unpack the model into `target` (a model directory); a no-op when it is there."""
    if is_model_dir(target):
        return target
    if not sha256:
        raise ModelSetupError("set XIAONUAN_VOSK_MODEL_SHA256 to the archive's SHA-256 from a trusted source; "
                              "an unverified model is never installed")
    with tempfile.TemporaryDirectory(prefix="xiaonuan-model-") as tmp:
        archive = Path(tmp) / "model.zip"
        try:
            with requests.get(url, stream=True, timeout=timeout_s) as answer:
                answer.raise_for_status()
                with archive.open("wb") as out:
                    for block in answer.iter_content(1 << 20):
                        out.write(block)
        except requests.RequestException as exc:
            raise ModelSetupError(f"cannot download {url} ({exc.__class__.__name__}); "
                                  "the kiosk runs in text mode until the model is installed") from exc
        size = archive.stat().st_size
        if url == OFFICIAL_URL and size != OFFICIAL_BYTES:
            raise ModelSetupError(f"the download is {size} bytes, not the official {OFFICIAL_BYTES}: refused, "
                                  "nothing installed")
        found = sha256_of(archive)
        if found != sha256.lower():
            raise ModelSetupError(f"the download's SHA-256 is {found}, not {sha256}: refused, nothing installed")
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ModelSetupError(f"the archive has an unsafe path {member!r}: refused")
            zipped.extractall(unpacked)
        roots = [p for p in unpacked.iterdir() if p.is_dir()]
        model = next((p for p in [unpacked, *roots] if is_model_dir(p)), None)
        if model is None:
            raise ModelSetupError("the archive does not contain a Vosk model (am/final.mdl and a graph)")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(model), str(target))
    return target
