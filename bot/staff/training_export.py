"""Labelled turns as Rasa NLU training data (YAML, `version: "3.1"`), for the next training run.

Texts are cleaned to one safe line each: no line breaks (including the ones Python's
`splitlines` knows), no control characters, no leading "-", and square brackets made
full-width so Rasa does not read them as entity annotations. The file is checked with
`yaml.safe_load` before it is handed out.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from actions.db.models import NotUnderstoodTurn
from bot.kernel.clock import utcnow
from bot.staff.masking import mask_in_text
from bot.staff.understood_queue import NEW_TOPIC, NEW_TOPIC_LABEL

_BREAKS = set("\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_DROPPED_CATEGORIES = {"Cc", "Cs", "Cf"}  # control, surrogate, format (BOM, zero-width …)
_LEADING = "-–—•*·> "


def clean_example(words: str) -> str:
    """One line of training text, safe inside a YAML block and for Rasa's example parser."""
    kept = []
    for char in words or "":
        if char in _BREAKS:
            kept.append(" ")
        elif unicodedata.category(char) not in _DROPPED_CATEGORIES and char not in "\ufffe\uffff":
            kept.append(char)
    line = mask_in_text(" ".join("".join(kept).split()))  # no phone or ID numbers in training data
    return line.replace("[", "［").replace("]", "］").lstrip(_LEADING).strip()


@dataclass
class Export:
    filename: str
    body: str
    examples: int
    new_topics: int
    rows: int


def build_nlu_yaml(labelled: Sequence[Tuple[str, str]], stamp: str) -> Tuple[str, int, int]:
    """(label, text) pairs, oldest first → (YAML text, examples written, new topics listed)."""
    by_intent: Dict[str, List[str]] = {}
    owner: Dict[str, str] = {}  # cleaned text → its latest label (one text, one intent)
    new_topics: List[str] = []
    for label, words in labelled:
        line = clean_example(words)
        if not line:
            continue
        if label == NEW_TOPIC:
            if line not in new_topics:
                new_topics.append(line)
            continue
        owner[line] = label
    for line, label in owner.items():
        by_intent.setdefault(label, []).append(line)
    lines = [f"# 小暖：工作人员标注的“没听懂的话”，导出于 {stamp}。",
             "# 请先检查，再放进 nlu_data/nlu/ 重新训练。"]
    if new_topics:
        lines.append(f"# {NEW_TOPIC_LABEL}，没有放进下面的训练数据（共 {len(new_topics)} 句）：")
        lines += [f"#   - {line}" for line in new_topics]
    lines += ['version: "3.1"', "nlu:" if by_intent else "nlu: []"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {line}" for line in by_intent[intent]]
    body = "\n".join(lines) + "\n"
    _verify(body, by_intent)
    return body, len(owner), len(new_topics)


def _verify(body: str, by_intent: Dict[str, List[str]]) -> None:
    """The file must read back as exactly what was meant, or nothing is handed out."""
    loaded = yaml.safe_load(body)
    read = {entry["intent"]: [line[2:] for line in entry["examples"].splitlines()] for entry in loaded["nlu"] or []}
    if loaded.get("version") != "3.1" or read != by_intent:
        raise ValueError("the exported training data does not read back as written")


def export_labelled(sessions: sessionmaker, local_stamp: str, now: Optional[dt.datetime] = None) -> Optional[Export]:
    """Mark every labelled, not yet exported turn as exported and return them as a file; None if there are none."""
    now = now or utcnow()
    turn = NotUnderstoodTurn
    with sessions.begin() as session:
        # Claim the rows first: a second export at the same moment finds them taken.
        claimed = session.execute(update(turn).where(turn.label.isnot(None), turn.exported_at.is_(None))
                                  .values(exported_at=now)).rowcount
        if not claimed:
            return None
        rows = session.execute(select(turn.label, turn.text).where(turn.exported_at == now)
                               .order_by(turn.labelled_at, turn.event_id)).all()
        body, examples, new_topics = build_nlu_yaml([(row.label, row.text) for row in rows], local_stamp)
    filename = "xiaonuan-nlu-" + "".join(ch for ch in local_stamp if ch.isdigit()) + ".yml"
    return Export(filename, body, examples, new_topics, len(rows))
