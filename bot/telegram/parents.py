"""Which linked parent a relative's words are about: "我妈…" with a mother and a father linked.

The relative says 我妈/我爸/我婆婆/我奶奶 or the parent's name; the channel switches to that parent's
conversation before the words reach the core. When the words name nobody, or fit more than one
linked parent equally, the active parent stays (the chat always shows whose conversation it is).
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.db.models import FamilyLink, Resident
from bot.telegram.chats import ChatState

# (pattern, the parent's sex, the generations a relation spans: 1 child, 2 grandchild; 0 any)
_WORDS: List[Tuple[str, str, int]] = [
    (r"(我|俺|咱)(妈|娘|母亲|老妈)|妈妈|老母亲|老娘|我家老太太", "女", 1),
    (r"(我|俺|咱)(爸|爹|父亲|老爸)|爸爸|老父亲|老爷子|我家老头", "男", 1),
    (r"婆婆|岳母|丈母娘", "女", 1),
    (r"公公|岳父|老丈人", "男", 1),
    (r"奶奶|姥姥|外婆|姥儿", "女", 2),
    (r"爷爷|姥爷|外公", "男", 2),
]
_GRANDCHILD = ("孙", "外孙")


def _generation(relation: str) -> int:
    return 2 if any(relation.startswith(word) for word in _GRANDCHILD) else 1


def _said(text: str) -> Optional[Tuple[str, int]]:
    found = [(sex, generation) for pattern, sex, generation in _WORDS if re.search(pattern, text)]
    return found[0] if len(set(found)) == 1 else None


def parent_named(text: str, state: ChatState, sessions: sessionmaker) -> Optional[int]:
    """The resident id of the one linked parent these words are about, or None."""
    if len(state.parents) < 2:
        return None
    by_name = [rid for rid, name in state.parents if name and name in text]
    if len(by_name) == 1:
        return by_name[0]
    said = _said(text)
    if said is None or state.family_member_id is None:
        return None
    sex, generation = said
    ids = [rid for rid, _ in state.parents]
    with sessions() as session:
        rows = session.execute(select(Resident.id, Resident.gender, FamilyLink.relation)
                               .join(FamilyLink, FamilyLink.resident_id == Resident.id)
                               .where(FamilyLink.family_member_id == state.family_member_id,
                                      Resident.id.in_(ids))).all()
    fits: Dict[int, bool] = {rid: gender == sex for rid, gender, _ in rows}
    matching = [rid for rid, ok in fits.items() if ok]
    if len(matching) > 1:
        same_generation = [rid for rid, _, relation in rows if rid in matching and _generation(relation) == generation]
        matching = same_generation if len(same_generation) == 1 else matching
    return matching[0] if len(matching) == 1 else None
