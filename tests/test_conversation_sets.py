"""The conversation evaluation's sets: well formed, sourced, a held-out third, and nothing held out
ever in the training data (a sentence there would make the held-out figures a lie)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Set

import yaml

from bench.dialogues import CONVERSATIONS, load_all
from bench.nlu_held_out import HELD_OUT, held_out_examples
from bot.kernel.settings import PROJECT_ROOT

_PUNCT = re.compile(r"[\s，。？！、,.?!~…“”\"'：:；;（）()【】\[\]]+")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def _plain(sentence: str) -> str:
    return _PUNCT.sub("", _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", sentence))


def _training_sentences() -> Iterator[str]:
    for path in sorted((PROJECT_ROOT / "nlu_data").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    yield _plain(line.strip()[2:])


def _training() -> Set[str]:
    return {s for s in _training_sentences() if s}


def test_the_sets_load_and_are_large_enough() -> None:
    conversations = load_all()
    held_out = [c for c in conversations if c.part == "held_out"]
    assert len(conversations) >= 150
    assert 0.25 <= len(held_out) / len(conversations) <= 0.40
    assert all(c.source.strip() for c in conversations)
    kinds = {c.kind for c in held_out}
    assert {"forms", "confirmations", "context", "long_speech", "feelings", "repair", "family", "policy",
            "safety"} <= kinds


def test_no_held_out_phrasing_is_in_the_training_data() -> None:
    training = _training()
    held_nlu = {_plain(text) for text, _ in held_out_examples()}
    held_turns = {_plain(step.say) for c in load_all(parts=("held_out",)) for step in c.steps}
    # Short replies ("对", "送到家", "明天上午") are the same in any set; sentences must not be shared.
    overlap = ({s for s in held_nlu if len(s) > 2} | {s for s in held_turns if len(s) > 6}) & training
    assert not overlap, f"held-out sentences in the training data: {sorted(overlap)[:10]}"


def test_the_held_out_nlu_set_covers_every_contract_intent() -> None:
    intents = {intent for _, intent in held_out_examples()}
    contract = {"greet", "goodbye", "thank", "affirm", "deny", "ask_help", "ask_menu", "book_meal",
                "cancel_booking", "check_bookings", "book_service", "ask_policy", "emergency", "repeat",
                "speak_slower", "speak_louder", "human_handoff", "out_of_scope", "inform"}
    assert contract <= intents
    assert len(held_out_examples()) >= 250
    assert HELD_OUT.parent == CONVERSATIONS and Path(HELD_OUT).exists()
