"""The model is retrained only when what shapes it changes."""
import json
import shutil

from bot.ops import training


def _copy_inputs(tmp_path):
    for entry in training.TRAINING_INPUTS:
        source = training.PROJECT_ROOT / entry
        target = tmp_path / entry
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)


def test_hash_changes_with_training_data_only(tmp_path) -> None:
    _copy_inputs(tmp_path)
    first = training.training_hash(tmp_path)
    assert training.training_hash(tmp_path) == first
    (tmp_path / "README.md").write_text("not a training input")
    assert training.training_hash(tmp_path) == first
    (tmp_path / "nlu_data" / "rules" / "basics.yml").write_text("changed", encoding="utf-8")
    assert training.training_hash(tmp_path) != first


def test_current_model_needs_matching_stamp_and_file(tmp_path) -> None:
    assert training.current_model(tmp_path, "abc") is None
    (tmp_path / training.STAMP_NAME).write_text(json.dumps({"hash": "abc", "model": "m.tar.gz"}))
    assert training.current_model(tmp_path, "abc") is None
    (tmp_path / "m.tar.gz").write_bytes(b"model")
    assert training.current_model(tmp_path, "abc") == tmp_path / "m.tar.gz"
    assert training.current_model(tmp_path, "def") is None
