"""Writing conversations the way the core does: through Rasa's own SQLTrackerStore, into a test database."""
from __future__ import annotations

import asyncio
import functools
from typing import List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.kernel.settings import PROJECT_ROOT


@functools.lru_cache(maxsize=1)
def rasa_domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain"))


class TrackerWriter:
    """Appends events to a conversation in Rasa's tracker store (the `events` table)."""

    def __init__(self, database_url: str) -> None:
        self.store = SQLTrackerStore(domain=rasa_domain(), host=database_url)

    def save(self, sender_id: str, events: List[Event]) -> None:
        async def append() -> None:
            tracker = await self.store.retrieve(sender_id) or DialogueStateTracker.from_events(
                sender_id, [], slots=rasa_domain().slots)
            for event in events:
                tracker.update(event)
            await self.store.save(tracker)
        asyncio.run(append())

    def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return asyncio.run(self.store.retrieve(sender_id))
