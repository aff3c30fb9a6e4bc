"""Scripted conversations for the evaluation (docs/conversation-eval.md): loading, and the per-turn checks.

Pure: nothing here talks to a server. `bench/conversations.py` plays them against the real stack.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "tests" / "conversations"
PARTS = ("tuned", "held_out")
KINDS = ("forms", "confirmations", "context", "long_speech", "feelings", "repair", "family", "policy",
         "safety", "reminders", "community")
CHANNELS = ("home_kiosk", "community_kiosk", "telegram")
ROW_KINDS = ("meal_bookings", "service_bookings", "cancelled", "alerts", "scam_warnings", "handoffs",
             "not_understood", "reminders", "family_notes", "activity_signups")
EXPECT_KEYS = ("intent", "actions", "not_actions", "slots", "says", "says_any", "not_says", "max_questions",
               "rows")


class ScriptError(ValueError):
    """A conversation file does not follow the format."""


@dataclass(frozen=True)
class Step:
    say: str
    expect: Mapping[str, Any]


@dataclass(frozen=True)
class Conversation:
    id: str
    kind: str
    part: str
    source: str
    channel: str
    resident: str
    relative: str
    steps: Tuple[Step, ...]
    file: str = ""


@dataclass
class Observed:
    """What happened in one turn, as read from the answer, the tracker store and the database."""

    text: str
    intent: str = ""
    actions: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    rows: Dict[str, int] = field(default_factory=dict)  # "resident name:kind" → rows since the start


def _as_list(value: Any, where: str) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ScriptError(f"{where}: expected a string or a list of strings")


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict) or not isinstance(raw.get("say"), str):
        raise ScriptError(f"{where}: a turn needs `say` (text)")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        raise ScriptError(f"{where}: `expect` must be a mapping")
    unknown = set(expect) - set(EXPECT_KEYS)
    if unknown:
        raise ScriptError(f"{where}: unknown expectations {sorted(unknown)}")
    for key in ("actions", "not_actions", "says", "says_any", "not_says"):
        if key in expect:
            expect[key] = _as_list(expect[key], f"{where}.{key}")
    rows = expect.get("rows")
    if rows is not None:
        if not isinstance(rows, dict):
            raise ScriptError(f"{where}: `rows` must be a mapping")
        bad = set(rows) - set(ROW_KINDS) - {"resident"}
        if bad:
            raise ScriptError(f"{where}: unknown row kinds {sorted(bad)}")
    if "slots" in expect and not isinstance(expect["slots"], dict):
        raise ScriptError(f"{where}: `slots` must be a mapping")
    return Step(raw["say"], expect)


def parse(document: Any, part: str, file: str = "") -> List[Conversation]:
    if not isinstance(document, dict) or not isinstance(document.get("conversations"), list):
        raise ScriptError(f"{file}: expected `conversations:` with a list")
    found = []
    for index, raw in enumerate(document["conversations"]):
        where = f"{file}#{index}"
        if not isinstance(raw, dict):
            raise ScriptError(f"{where}: a conversation must be a mapping")
        cid, kind, channel = raw.get("id"), raw.get("kind"), raw.get("channel", "home_kiosk")
        if not isinstance(cid, str) or not cid:
            raise ScriptError(f"{where}: missing id")
        if kind not in KINDS:
            raise ScriptError(f"{where} ({cid}): unknown kind {kind!r}")
        if channel not in CHANNELS:
            raise ScriptError(f"{where} ({cid}): unknown channel {channel!r}")
        if not str(raw.get("source") or "").strip():
            raise ScriptError(f"{where} ({cid}): every conversation names its source")
        turns = raw.get("turns")
        if not isinstance(turns, list) or not turns:
            raise ScriptError(f"{where} ({cid}): needs turns")
        resident, relative = str(raw.get("resident") or ""), str(raw.get("relative") or "")
        if channel == "telegram" and not relative:
            raise ScriptError(f"{where} ({cid}): a telegram conversation names the relative")
        if channel != "telegram" and not resident:
            raise ScriptError(f"{where} ({cid}): a kiosk conversation names the resident")
        steps = tuple(_step(turn, f"{where} ({cid}) turn {n + 1}") for n, turn in enumerate(turns))
        found.append(Conversation(cid, kind, part, str(raw["source"]), channel, resident, relative, steps, file))
    return found


def load_all(root: Path = CONVERSATIONS, parts: Sequence[str] = PARTS) -> List[Conversation]:
    """Every conversation of the given parts; ids must be unique across all files."""
    conversations: List[Conversation] = []
    for part in parts:
        for path in sorted((root / part).glob("*.yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            conversations.extend(parse(document, part, str(path.relative_to(root))))
    seen: Dict[str, str] = {}
    for conversation in conversations:
        if conversation.id in seen:
            raise ScriptError(f"id {conversation.id} is in {seen[conversation.id]} and {conversation.file}")
        seen[conversation.id] = conversation.file
    return conversations


def question_count(text: str) -> int:
    return text.count("？") + text.count("?")


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(expected) == float(actual)
    return str(expected) == str(actual) if actual is not None else expected is None


def check(expect: Mapping[str, Any], seen: Observed, default_resident: str) -> List[str]:
    """Everything that fell short in one turn, in words; an empty list is a pass."""
    problems: List[str] = []
    if "intent" in expect and seen.intent != expect["intent"]:
        problems.append(f"intent {seen.intent!r}, expected {expect['intent']!r}")
    for action in expect.get("actions", []):
        if action not in seen.actions:
            problems.append(f"{action} did not run (ran: {', '.join(seen.actions) or 'nothing'})")
    for action in expect.get("not_actions", []):
        if action in seen.actions:
            problems.append(f"{action} ran")
    for slot, value in (expect.get("slots") or {}).items():
        if not _same(value, seen.slots.get(slot)):
            problems.append(f"slot {slot}={seen.slots.get(slot)!r}, expected {value!r}")
    for words in expect.get("says", []):
        if words not in seen.text:
            problems.append(f"does not say {words!r}")
    options = expect.get("says_any", [])
    if options and not any(words in seen.text for words in options):
        problems.append(f"says none of {options}")
    for words in expect.get("not_says", []):
        if words in seen.text:
            problems.append(f"says {words!r}")
    if "max_questions" in expect and question_count(seen.text) > int(expect["max_questions"]):
        problems.append(f"{question_count(seen.text)} questions, at most {expect['max_questions']}")
    rows = dict(expect.get("rows") or {})
    whose = str(rows.pop("resident", "") or default_resident)
    for kind, count in rows.items():
        actual = seen.rows.get(f"{whose}:{kind}", 0)
        if actual != int(count):
            problems.append(f"{kind} for {whose}: {actual}, expected {count}")
    return problems


@dataclass
class Tally:
    turns: int = 0
    passed: int = 0
    conversations: int = 0
    whole: int = 0  # conversations with every turn passing

    def add(self, results: Sequence[bool]) -> None:
        self.conversations += 1
        self.turns += len(results)
        self.passed += sum(results)
        self.whole += all(results)

    @property
    def rate(self) -> float:
        return self.passed / self.turns if self.turns else 0.0


def summarise(results: Mapping[str, Tuple[Conversation, List[bool]]]) -> Dict[Tuple[str, str], Tally]:
    """Tallies per (part, kind), with (part, "all") for each part."""
    tallies: Dict[Tuple[str, str], Tally] = {}
    for conversation, outcome in results.values():
        for key in ((conversation.part, conversation.kind), (conversation.part, "all")):
            tallies.setdefault(key, Tally()).add(outcome)
    return tallies


def resident_of(conversation: Conversation, parents: Sequence[str]) -> str:
    """The resident a conversation is about by default: the kiosk's, or the relative's first parent."""
    if conversation.channel == "telegram":
        return parents[0] if parents else ""
    return conversation.resident
