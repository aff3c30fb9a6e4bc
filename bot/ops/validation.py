"""`rasa data validate` with warnings treated as errors, except two that are expected.

Rasa warns about every response that no story or rule uses; ours include
responses that custom actions send (with values filled in) and the questions
forms ask, so that warning is accepted only for responses the action code
really names and for `utter_ask_<slot>` of slots a form requires. Intents only the safety net
gives have no training examples on purpose, and Rasa warns about those too.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import List

from bot.kernel.settings import PROJECT_ROOT

_UNUSED_UTTERANCE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
_INTENT_WITHOUT_EXAMPLES = re.compile(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU")
# Intents only the safety net gives (bot/core/nlu_components.py): deliberately without training
# examples, so the classifier never learns to take a real emergency for one of them.
NET_ONLY_INTENTS = frozenset({"report_danger"})
# Rasa 3.6 raises this on every domain load, whatever the domain says.
_ALWAYS_RAISED = ("Slot auto-fill has been removed in 3.0",)


def responses_named_in_actions(actions_dir: Path = PROJECT_ROOT / "actions") -> set:
    names = set()
    for source in actions_dir.rglob("*.py"):
        names.update(re.findall(r"[\"'](utter_\w+)[\"']", source.read_text(encoding="utf-8")))
    return names


def validate_project(root: Path = PROJECT_ROOT) -> List[str]:
    """Problems found in domain, training data and rules; empty when clean."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        config_path=str(root / "config.yml"), domain_path=str(root / "domain"),
        training_data_paths=[str(root / "nlu_data")],
    )
    problems: List[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        checks = {
            "domain": validator.verify_domain_validity(),
            "actions in rules": validator.verify_actions_in_stories_rules(),
            "forms in rules": validator.verify_forms_in_stories_rules(),
            "form slots": validator.verify_form_slots(),
            "slot mappings": validator.verify_slot_mappings(),
            "nlu": validator.verify_nlu(ignore_warnings=True),
            "intents in rules": validator.verify_intents_in_stories(ignore_warnings=True),
            "utterances in rules": validator.verify_utterances_in_stories(ignore_warnings=True),
            "story structure": validator.verify_story_structure(ignore_warnings=True),
        }
    problems += [f"{name}: failed" for name, ok in checks.items() if not ok]
    allowed = responses_named_in_actions(root / "actions")
    for form in validator.domain.forms.values():
        allowed.update(f"utter_ask_{slot}" for slot in form.get("required_slots", []))
    for warning in caught:
        text = str(warning.message)
        match = _UNUSED_UTTERANCE.search(text)
        if match and match.group(1) in allowed:
            continue
        net_only = _INTENT_WITHOUT_EXAMPLES.search(text)
        if net_only and net_only.group(1) in NET_ONLY_INTENTS:
            continue
        if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        if text.startswith(_ALWAYS_RAISED):
            continue
        problems.append(text.splitlines()[0])
    return problems
