"""`xiaonuan train | validate | test-stories | voice-model`: the language model and the speech model."""
from __future__ import annotations

import argparse
import subprocess
import sys

from bot.kernel.settings import PROJECT_ROOT, child_environment, load_settings


def cmd_train(args: argparse.Namespace) -> int:
    from bot.ops.training import train

    train(load_settings().model_dir, force=args.force)
    return 0


def cmd_voice_model(args: argparse.Namespace) -> int:
    """Install the Chinese speech model when the network allows; otherwise say why and carry on."""
    from voice.model_setup import ModelSetupError, install_model
    from voice.recognizer import is_model_dir

    settings = load_settings()
    if is_model_dir(settings.vosk_model):
        return 0
    try:
        install_model(settings.vosk_model, settings.vosk_model_sha256)
    except ModelSetupError as exc:
        print(f"[voice] speech model not installed: {exc}")
        return 0 if args.optional else 1
    print(f"[voice] speech model installed in {settings.vosk_model}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.ops.validation import validate_project

    problems = validate_project()
    for problem in problems:
        print(f"[validate] {problem}", file=sys.stderr)
    print(f"[validate] {'clean' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def cmd_test_stories(args: argparse.Namespace) -> int:
    from bot.ops.training import train

    model = train(load_settings().model_dir)
    command = [sys.executable, "-m", "rasa", "test", "core", "--model", str(model),
               "--stories", "tests/stories", "--fail-on-prediction-errors",
               "--out", "results/stories", "--no-plot"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env=child_environment(load_settings()))
    failed = PROJECT_ROOT / "results" / "stories" / "failed_test_stories.yml"
    if result.returncode != 0:
        noise = ("Processed story blocks", "it/s]", "Warning", "warn(", "declare_namespace")
        said = "\n".join(line for line in (result.stdout + result.stderr).splitlines()
                         if not any(word in line for word in noise))
        sys.stderr.write(said[-8000:] + "\n")
        if failed.exists():
            sys.stderr.write(failed.read_text()[:6000])
        print("[stories] conversation tests FAILED")
        return 1
    print("[stories] all conversation tests passed")
    return 0


def add_model_commands(sub: argparse._SubParsersAction) -> None:
    train = sub.add_parser("train", help="train the model if training data or config changed")
    train.add_argument("--force", action="store_true", help="train even when nothing changed")
    train.set_defaults(func=cmd_train)
    sub.add_parser("validate", help="check training data and domain").set_defaults(func=cmd_validate)
    sub.add_parser("test-stories", help="run the conversation tests").set_defaults(func=cmd_test_stories)
    model = sub.add_parser("voice-model", help="install the Chinese speech model (verified by SHA-256)")
    model.add_argument("--optional", action="store_true", help="exit 0 when it cannot be installed")
    model.set_defaults(func=cmd_voice_model)
