"""Reading Rasa's stored events: what a user turn said and whether the assistant understood it.

A turn counts as not understood when the NLU gave `nlu_fallback` (the FallbackClassifier,
or the SafetyNet for unusable input), when its intent's confidence is below the
FallbackClassifier's threshold, or when the core fallback action answered it
(RulePolicy's `core_fallback_action_name`). Both values are read from `config.yml`.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

import yaml

from bot.kernel.settings import PROJECT_ROOT

FALLBACK_INTENT = "nlu_fallback"
RASA_DEFAULT_FALLBACK_ACTION = "action_default_fallback"
DEFAULT_THRESHOLD = 0.3  # Rasa's own default for FallbackClassifier


@dataclass(frozen=True)
class NluSettings:
    threshold: float
    fallback_actions: FrozenSet[str]


@functools.lru_cache(maxsize=4)
def nlu_settings(config_path: Path = PROJECT_ROOT / "config.yml") -> NluSettings:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    threshold = DEFAULT_THRESHOLD
    for component in config.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            threshold = float(component.get("threshold", DEFAULT_THRESHOLD))
    actions = {RASA_DEFAULT_FALLBACK_ACTION}
    for policy in config.get("policies") or []:
        if policy.get("name") == "RulePolicy" and policy.get("core_fallback_action_name"):
            actions.add(str(policy["core_fallback_action_name"]))
    return NluSettings(threshold, frozenset(actions))


@functools.lru_cache(maxsize=4)
def project_intents(domain_dir: Path = PROJECT_ROOT / "domain") -> Tuple[str, ...]:
    """The intents the project's domain files declare (Rasa's built-in ones only if declared)."""
    names: List[str] = []
    for path in sorted(domain_dir.glob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            name = entry if isinstance(entry, str) else next(iter(entry), None)
            if name and name != FALLBACK_INTENT and name not in names:
                names.append(str(name))
    return tuple(sorted(names))


@dataclass
class UserTurn:
    text: str
    intent: str
    confidence: float
    predicted: str  # for a fallback: the best real intent the classifier had
    predicted_confidence: float
    entities: List[Dict[str, Any]] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)
    safety_net: str = ""

    @property
    def fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT

    def low_confidence(self, threshold: float) -> bool:
        return bool(self.intent) and not self.fallback and self.confidence < threshold

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def user_turn(data: Mapping[str, Any]) -> UserTurn:
    """A user event's dict (`events.data`) as a turn."""
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name, confidence = str(intent.get("name") or ""), _float(intent.get("confidence"))
    predicted, predicted_confidence = name, confidence
    if name == FALLBACK_INTENT:
        best = next((entry for entry in parse.get("intent_ranking") or []
                     if entry.get("name") and entry.get("name") != FALLBACK_INTENT), None)
        if best is not None:
            predicted, predicted_confidence = str(best["name"]), _float(best.get("confidence"))
    metadata = data.get("metadata") or parse.get("metadata") or {}
    return UserTurn(text=str(data.get("text") or parse.get("text") or ""), intent=name, confidence=confidence,
                    predicted=predicted, predicted_confidence=predicted_confidence,
                    entities=[e for e in parse.get("entities") or [] if isinstance(e, dict)],
                    metadata=metadata if isinstance(metadata, dict) else {},
                    safety_net=str(parse.get("safety_net") or ""))


def load(data: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def resident_id_of(value: Any) -> Optional[int]:
    """A resident id from metadata or the `resident_id` slot ("3", 3); None when absent or odd."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
