"""Custom Rasa NLU components: text normalisation and the emergency safety net."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kernel.contract import InputProblem, input_problem, normalize
from bot.kernel.settings import PROJECT_ROOT
from bot.kernel.words.emergency import is_reported, match_emergency
from bot.kernel.words.scam import could_be_fraud, match_scam
from bot.kernel.words.task_cues import TaskCues, load_service_words

# What the pipeline sees for input with no words at all: featurizers skip an empty
# text entirely and the classifier then has nothing to work on.
NO_WORDS_PLACEHOLDER = "。"
EMERGENCY_INTENT = "emergency"
# Danger told about (news, a game, someone else, the past): checked first, never ignored. Only this
# net gives it (no training examples), so the classifier never learns to take an emergency for it.
REPORTED_INTENT = "report_danger"
SCAM_INTENT = "scam_warning"
FALLBACK_INTENT = "nlu_fallback"
INTENT_RANKING = "intent_ranking"
FALLBACK_CONFIDENCE = 0.3  # config.yml's FallbackClassifier threshold: below it a guess is no answer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChineseTextNormalizer(GraphComponent):
    """Runs before the tokenizer so training and live text look alike (see bot.kernel.contract)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChineseTextNormalizer":
        return cls()

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str):
            cleaned = normalize(text)
            if input_problem(cleaned, max_chars=len(cleaned) + 1) is InputProblem.EMPTY:
                cleaned = NO_WORDS_PLACEHOLDER
            message.set(TEXT, cleaned)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages


def _forced_intent(name: str, confidence: float) -> Dict[str, Any]:
    return {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNet(GraphComponent):
    """Last word on the intent: emergency words force `emergency`; unusable input forces fallback."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Longer messages are not interpreted (unless they contain emergency words). The service
        # catalogue gives the words of the request inside a long story (bot.kernel.words.task_cues).
        return {"max_chars": 300, "services_file": "data/services.yml"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.max_chars = int(config.get("max_chars") or 300)
        services = Path(str(config.get("services_file") or ""))
        if not services.is_absolute():
            services = PROJECT_ROOT / services
        self.cues = TaskCues(load_service_words(services) if services.is_file() else ())

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls(config)

    def _override(self, message: Message, intent: str, reason: str) -> None:
        forced = _forced_intent(intent, 1.0)
        ranking = [entry for entry in message.get(INTENT_RANKING) or [] if entry.get(INTENT_NAME_KEY) != intent]
        message.set(INTENT, forced, add_to_output=True)
        message.set(INTENT_RANKING, [forced] + ranking, add_to_output=True)
        message.set("safety_net", reason, add_to_output=True)

    def decide(self, text: Optional[str]) -> Optional[tuple]:
        """(intent, reason) to force for this text, or None to keep the classifier's answer."""
        cleaned = normalize(text)
        emergency = match_emergency(cleaned)
        if emergency and is_reported(cleaned):
            return REPORTED_INTENT, f"reported:{emergency}"
        if emergency:
            return EMERGENCY_INTENT, f"emergency:{emergency}"
        scam = match_scam(cleaned)
        if scam:
            return SCAM_INTENT, f"scam:{scam}"
        if cleaned.startswith("/"):
            return None  # a button payload, already an intent
        problem = input_problem(cleaned, self.max_chars)
        if problem is not None:
            return FALLBACK_INTENT, f"input:{problem.value}"
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            decision = self.decide(message.get(TEXT))
            if decision is None:
                self._drop_unfounded_fraud(message)
                decision = self._task_inside(message)
            if decision is not None:
                self._override(message, *decision)
        return messages

    def _drop_unfounded_fraud(self, message: Message) -> None:
        """A fraud the classifier guessed in words no fraud can do without: its next guess, or not understood."""
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != SCAM_INTENT or could_be_fraud(normalize(message.get(TEXT))):
            return
        ranking = [entry for entry in message.get(INTENT_RANKING) or []
                   if entry.get(INTENT_NAME_KEY) not in (SCAM_INTENT, FALLBACK_INTENT)]
        best = ranking[0] if ranking else None
        if best is None or float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < FALLBACK_CONFIDENCE:
            best = _forced_intent(FALLBACK_INTENT, FALLBACK_CONFIDENCE)
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING, ranking, add_to_output=True)
        message.set("safety_net", "fraud_unfounded", add_to_output=True)

    def _task_inside(self, message: Message) -> Optional[tuple]:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
        entities = [e.get("entity") for e in message.get("entities") or []]
        ranking = [(e.get(INTENT_NAME_KEY), float(e.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                   for e in message.get(INTENT_RANKING) or []]
        task = self.cues.task_in(normalize(message.get(TEXT)), intent, entities, ranking)
        return (task, f"task_cue:{intent}") if task else None
