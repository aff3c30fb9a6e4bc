"""The knowledge base in force and its index, rebuilt only when the files change."""
from __future__ import annotations

import threading
from typing import Tuple

from actions import runtime
from actions.policies.knowledge import KnowledgeBase, load_knowledge
from actions.policies.retrieval import PolicyIndex

_lock = threading.Lock()
_built: Tuple[int, PolicyIndex] = (0, None)  # type: ignore[assignment]


def knowledge_and_index() -> Tuple[KnowledgeBase, PolicyIndex]:
    global _built
    knowledge = load_knowledge(runtime.settings().policies_dir)
    with _lock:
        if _built[0] != id(knowledge):
            _built = (id(knowledge), PolicyIndex(knowledge))
        return knowledge, _built[1]
