"""The policy knowledge base: one staff-edited YAML file per item in a folder."""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import yaml

DETAIL_KEYS = ("who", "amount", "materials", "how", "phone")
FLAGS = ("低保", "低保边缘", "特困", "失能", "半失能", "独居", "残疾", "重度残疾")
REQUIRED = ("id", "title", "aliases", "summary", "details", "source", "updated", "sample_values")
RULE_KEYS = ("label", "min_age", "max_age", "flags_any", "flags_all", "amount", "unit", "note")
MAX_SENTENCES = 3
_SENTENCE_END = re.compile(r"[。！？!?]+")
_ID = re.compile(r"^[a-z0-9_]+$")


class KnowledgeError(ValueError):
    """A policy file is missing or wrong; the message names the file and the field."""


def _flag_set(flags: Iterable[str]) -> frozenset:
    """Flags as a set; a string such as "独居,半失能" (as stored on residents) is split on commas."""
    if isinstance(flags, str):
        flags = re.split(r"[,，、\s]+", flags)
    return frozenset(flag.strip() for flag in flags if flag and flag.strip())


@dataclass(frozen=True)
class EligibilityRule:
    """One computable condition of an item and what a person meeting it gets."""

    label: str
    min_age: Optional[int] = None
    max_age: Optional[int] = None
    flags_any: Tuple[str, ...] = ()
    flags_all: Tuple[str, ...] = ()
    amount: Optional[float] = None
    unit: str = ""
    note: str = ""

    def applies(self, age: Optional[int], flags: Iterable[str]) -> bool:
        """True when the person meets every condition; an age condition needs a known age."""
        if self.min_age is not None and (age is None or age < self.min_age):
            return False
        if self.max_age is not None and (age is None or age > self.max_age):
            return False
        have = _flag_set(flags)
        if self.flags_any and not have.intersection(self.flags_any):
            return False
        return have.issuperset(self.flags_all)


@dataclass(frozen=True)
class PolicyItem:
    id: str
    title: str
    aliases: Tuple[str, ...]
    summary: str
    details: Dict[str, str]
    eligibility: Tuple[EligibilityRule, ...]
    source: str
    updated: dt.date
    sample_values: bool

    def rule_for(self, age: Optional[int], flags: Iterable[str] = ()) -> Optional[EligibilityRule]:
        """The first rule that applies, or None (not eligible, or not computable from age and flags)."""
        have = _flag_set(flags)
        return next((rule for rule in self.eligibility if rule.applies(age, have)), None)


@dataclass(frozen=True)
class KnowledgeBase:
    items: Tuple[PolicyItem, ...]

    def by_id(self, item_id: str) -> PolicyItem:
        found = next((item for item in self.items if item.id == item_id), None)
        if found is not None:
            return found
        raise KeyError(f"no policy item {item_id!r}; known: {', '.join(item.id for item in self.items)}")

    def __iter__(self) -> Iterator[PolicyItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _no_unknown(raw: Dict[Any, Any], allowed: Tuple[str, ...], where: str) -> None:
    unknown = sorted(set(map(str, raw)) - set(allowed))
    if unknown:
        raise KnowledgeError(f"{where}{unknown[0]}: unknown field (use {', '.join(allowed)})")


def _text(value: Any, where: str) -> str:
    if value is None:
        raise KnowledgeError(f"{where}: missing field")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML reads 12345 as a number
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{where}: expected non-empty text, got {value!r}")
    return value.strip()


def _age(value: Any, where: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
        raise KnowledgeError(f"{where}: expected a whole number of years, got {value!r}")
    return value


def _flags(value: Any, where: str) -> Tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise KnowledgeError(f"{where}: expected a list of flags like [低保, 特困], got {value!r}")
    unknown = [flag for flag in value if flag not in FLAGS]
    if unknown:
        raise KnowledgeError(f"{where}: unknown flag {unknown[0]!r} (use {', '.join(FLAGS)})")
    return tuple(value)


def _rule(raw: Any, where: str) -> EligibilityRule:
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: expected a mapping with label and conditions, got {raw!r}")
    _no_unknown(raw, RULE_KEYS, f"{where}.")
    label = _text(raw.get("label"), f"{where}.label")
    min_age, max_age = _age(raw.get("min_age"), f"{where}.min_age"), _age(raw.get("max_age"), f"{where}.max_age")
    flags_any = _flags(raw.get("flags_any"), f"{where}.flags_any")
    flags_all = _flags(raw.get("flags_all"), f"{where}.flags_all")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise KnowledgeError(f"{where}.min_age: {min_age} is greater than max_age {max_age}")
    if min_age is None and max_age is None and not flags_any and not flags_all:
        raise KnowledgeError(f"{where}: a rule needs a condition (min_age, max_age, flags_any or flags_all)")
    amount = raw.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0):
        raise KnowledgeError(f"{where}.amount: expected a number (no unit), got {amount!r}")
    unit = _text(raw["unit"], f"{where}.unit") if raw.get("unit") is not None else ""
    if amount is not None and not unit:
        raise KnowledgeError(f"{where}.unit: required with an amount, e.g. 元/月")
    note = _text(raw["note"], f"{where}.note") if raw.get("note") is not None else ""
    return EligibilityRule(label, min_age, max_age, flags_any, flags_all,
                           float(amount) if amount is not None else None, unit, note)


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise KnowledgeError(f"{where}: expected a date like 2026-10-15, got {value!r}") from exc


def parse_item(raw: Any, source: str) -> PolicyItem:
    """Build one item from its YAML mapping; `source` (the file) starts every error message."""
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{source}: expected a mapping of fields, got {type(raw).__name__}")
    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise KnowledgeError(f"{source}: {missing[0]}: missing field")
    _no_unknown(raw, REQUIRED + ("eligibility",), f"{source}: ")
    item_id = _text(raw["id"], f"{source}: id")
    if not _ID.match(item_id):
        raise KnowledgeError(f"{source}: id: use lower-case letters, digits and _, got {item_id!r}")
    aliases = raw["aliases"]
    if not isinstance(aliases, list) or not aliases:
        raise KnowledgeError(f"{source}: aliases: expected a non-empty list of names, got {aliases!r}")
    names = tuple(_text(alias, f"{source}: aliases[{index}]") for index, alias in enumerate(aliases))
    summary = _text(raw["summary"], f"{source}: summary")
    if not _SENTENCE_END.search(summary[-1]):
        raise KnowledgeError(f"{source}: summary: must end with 。, ！ or ？")
    if len(_SENTENCE_END.findall(summary)) > MAX_SENTENCES:
        raise KnowledgeError(f"{source}: summary: more than {MAX_SENTENCES} sentences (it is read aloud first)")
    details = raw["details"]
    if not isinstance(details, dict):
        raise KnowledgeError(f"{source}: details: expected a mapping with {', '.join(DETAIL_KEYS)}")
    _no_unknown(details, DETAIL_KEYS, f"{source}: details.")
    details = {key: _text(details.get(key), f"{source}: details.{key}") for key in DETAIL_KEYS}
    rules = raw.get("eligibility") or []
    if not isinstance(rules, list):
        raise KnowledgeError(f"{source}: eligibility: expected a list of rules, got {rules!r}")
    if not isinstance(raw["sample_values"], bool):
        raise KnowledgeError(f"{source}: sample_values: expected true or false, got {raw['sample_values']!r}")
    return PolicyItem(
        id=item_id, title=_text(raw["title"], f"{source}: title"), aliases=names, summary=summary, details=details,
        eligibility=tuple(_rule(rule, f"{source}: eligibility[{index}]") for index, rule in enumerate(rules)),
        source=_text(raw["source"], f"{source}: source"), updated=_date(raw["updated"], f"{source}: updated"),
        sample_values=raw["sample_values"])


def _check_together(pairs: List[Tuple[Path, PolicyItem]]) -> None:
    """Ids match their file names, and no title or alias names two items."""
    owner: Dict[str, str] = {}
    for path, item in pairs:
        if item.id != path.stem:
            raise KnowledgeError(f"{path}: id: {item.id!r} does not match the file name {path.name}")
        for name in dict.fromkeys((item.title,) + item.aliases):
            key = re.sub(r"\s+", "", name).casefold()
            if owner.get(key, item.id) != item.id:
                raise KnowledgeError(f"{path}: aliases: {name!r} is already a name in {owner[key]}.yml")
            owner[key] = item.id


_lock = threading.Lock()
_cache: Dict[Path, Tuple[Tuple[Tuple[str, int, int], ...], KnowledgeBase]] = {}


def _snapshot(folder: Path) -> Tuple[Tuple[str, int, int], ...]:
    try:
        stats = [(path.name, path.stat()) for path in sorted(folder.glob("*.yml"))]
        return tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats)
    except OSError as exc:
        raise KnowledgeError(f"policy folder {folder}: cannot be read ({exc})") from exc


def _read(folder: Path, snapshot: Tuple[Tuple[str, int, int], ...]) -> KnowledgeBase:
    pairs = []
    for name, _, _ in snapshot:
        path = folder / name
        try:
            with path.open(encoding="utf-8") as handle:
                raw = yaml.safe_load(handle)
        except (yaml.YAMLError, OSError) as exc:
            raise KnowledgeError(f"{path}: cannot be read as YAML ({exc})") from exc
        pairs.append((path, parse_item(raw, str(path))))
    _check_together(pairs)
    return KnowledgeBase(tuple(item for _, item in pairs))


def load_knowledge(folder: Path) -> KnowledgeBase:
    """Every `*.yml` item of the folder, sorted by file name; read again when files change."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise KnowledgeError(f"policy folder {folder} not found")
    with _lock:
        snapshot = _snapshot(folder)
        if not snapshot:
            raise KnowledgeError(f"policy folder {folder}: no *.yml files")
        cached = _cache.get(folder)
        if cached and cached[0] == snapshot:
            return cached[1]
        knowledge = _read(folder, snapshot)
        _cache[folder] = (snapshot, knowledge)
        return knowledge
