"""Our tracker store: Rasa's SQLTrackerStore (same table, same rows) with a cost per turn that does not grow.

Rasa 3.6.21's SQLTrackerStore, on every turn, reads the whole current session's events and replays
them into a new tracker (twice a turn: the channel's retried-message check, then Rasa's own read),
counts the session's events again before saving, and opens a new SQLite connection for each of
the three. Here:

* Trackers are kept in memory (the most recent `CACHE_SIZE` conversations) together with the id
  of their newest stored event. A read asks the database for that conversation's newest event id
  only (one index lookup); when it is the one we know, the kept tracker is the truth and is
  returned as is. When another Rasa server (a replica, a Sanic worker) wrote since, only the newer
  events are read and applied; a new session among them, or a kept tracker changed without being
  saved (a turn that failed half-way), reads the conversation afresh the way Rasa does.
* Saving writes the events after the ones we know are stored, without Rasa's COUNT query; a
  tracker we did not hand out is saved by Rasa's own code.
* SQLite: one pooled connection per thread instead of a new file connection per session, in WAL
  mode with `synchronous=NORMAL`: a commit is not fsynced, so a power cut may lose the last
  turns' events but never corrupts the database (docs/operations.md, "Durability"). Bookings and
  the rest of the application's records are written by the action server's own connections,
  which keep SQLite's full durability.

The conversation lock (Rasa's lock store, Redis across servers) is held around every read and
save of a turn, so the newest-id check cannot race with another server's turn.
Written for Rasa 3.6.21; `tests/unit/bot/core/test_tracker_store.py` checks the Rasa functions this
relies on are unchanged.
"""
from __future__ import annotations

import collections
import json
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

CACHE_SIZE = 2000  # conversations kept in memory; a tracker of a short session is a few tens of kB

# sha256 of inspect.getsource of the Rasa 3.6.21 functions whose behaviour this class reproduces.
RELIES_ON = {
    "rasa.core.tracker_store:SQLTrackerStore._retrieve":
        "c8adbf6f4b61ddd1124690944ebdf2ebc82d0723bd07c6704caab0b80120a0ef",
    "rasa.core.tracker_store:SQLTrackerStore._event_query":
        "cd44f7901b860bfd598a813bde17d0d5b0d7bab129feaf76bb2dca87d628625b",
    "rasa.core.tracker_store:SQLTrackerStore.save":
        "57165e46eab3de0866e77f03df0bf7fd5eac2c1de617ed431b934c9a4edfeef6",
    "rasa.core.tracker_store:SQLTrackerStore._additional_events":
        "d22f99eb863acb07afee63d9fe3a04ca8464251e67a43eb7d36c2d65ffc1653f",
}


class _Kept:
    """A tracker handed out, with how many of its events are stored and the newest stored id."""

    __slots__ = ("tracker", "stored", "newest_id", "session_start")

    def __init__(self, tracker: DialogueStateTracker, stored: int, newest_id: int,
                 session_start: Optional[float]) -> None:
        self.tracker = tracker
        self.stored = stored
        self.newest_id = newest_id
        self.session_start = session_start


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode: no corruption, the last commits may go
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class XiaonuanTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with kept trackers, no COUNT on save and pooled SQLite connections."""

    def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool, pool_size=8,
                                           connect_args={"timeout": 30})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._kept: "collections.OrderedDict[str, _Kept]" = collections.OrderedDict()
        self._cache_size = cache_size

    # --- reading ---------------------------------------------------------------------------

    def _newest_id(self, session: Any, sender_id: Text) -> Optional[int]:
        table = self.SQLEvent
        return session.query(sa.func.max(table.id)).filter(table.sender_id == sender_id).scalar()

    def _keep(self, sender_id: Text, kept: Optional[_Kept]) -> None:
        if kept is None:
            self._kept.pop(sender_id, None)
            return
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._cache_size:
            self._kept.popitem(last=False)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of the conversation's current session, as Rasa's `retrieve` returns it."""
        kept = self._kept.get(sender_id)
        with self.session_scope() as session:
            if kept is not None and len(kept.tracker.events) == kept.stored:
                newest = self._newest_id(session, sender_id)
                if newest == kept.newest_id:
                    self._kept.move_to_end(sender_id)
                    return kept.tracker
                if newest is not None and newest > kept.newest_id and self._catch_up(session, kept):
                    self._kept.move_to_end(sender_id)
                    return kept.tracker
            return self._read_afresh(session, sender_id)

    def _catch_up(self, session: Any, kept: _Kept) -> bool:
        """Apply the events another server stored since; False when they start a new session."""
        table = self.SQLEvent
        rows = (session.query(table.id, table.type_name, table.timestamp, table.data)
                .filter(table.sender_id == kept.tracker.sender_id, table.id > kept.newest_id)
                .order_by(table.id).all())
        if any(row.type_name == SessionStarted.type_name for row in rows):
            return False
        for row in rows:
            if kept.session_start is not None and (row.timestamp is None or row.timestamp < kept.session_start):
                continue  # Rasa's query leaves out events stamped before the session started
            event = Event.from_parameters(json.loads(row.data))
            if event is not None:
                kept.tracker.update(event)
        kept.stored = len(kept.tracker.events)
        kept.newest_id = rows[-1].id if rows else kept.newest_id
        return True

    def _read_afresh(self, session: Any, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Rasa's own read (SQLTrackerStore._retrieve), remembering what it read."""
        rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not self.domain or not rows:
            self._keep(sender_id, None)
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows], self.domain.slots)
        starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
        self._keep(sender_id, _Kept(tracker, len(tracker.events), rows[-1].id, max(starts) if starts else None))
        return tracker

    # --- saving ----------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events; Rasa's own save for a tracker we did not hand out."""
        kept = self._kept.get(tracker.sender_id)
        if kept is None or kept.tracker is not tracker or len(tracker.events) < kept.stored:
            self._keep(tracker.sender_id, None)
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        events = list(tracker.events)[kept.stored:]
        if not events:
            return
        rows = [self._row(tracker.sender_id, event) for event in events]
        with self.session_scope() as session:
            session.add_all(rows)
            session.flush()  # assigns the ids
            newest = rows[-1].id
            session.commit()
        if any(isinstance(event, SessionStarted) for event in events):  # a new session began in this turn: Rasa's next read starts there
            self._keep(tracker.sender_id, None)
            return
        kept.stored = len(tracker.events)
        kept.newest_id = newest

    def _row(self, sender_id: Text, event: Event) -> Any:
        """The row Rasa's SQLTrackerStore.save writes for an event."""
        data = event.as_dict()
        return self.SQLEvent(sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                             intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             action_name=data.get("name"), data=json.dumps(data))

    def kept_conversations(self) -> List[Tuple[str, int]]:
        """(sender id, stored events) of the trackers kept in memory, oldest use first (for tests)."""
        return [(sender, kept.stored) for sender, kept in self._kept.items()]

    def forget(self, sender_id: Optional[Text] = None) -> None:
        """Drop the kept tracker of one conversation, or all of them."""
        if sender_id is None:
            self._kept.clear()
        else:
            self._kept.pop(sender_id, None)


def stats(store: Any) -> Dict[str, int]:
    """How many trackers a store keeps (0 for any other store)."""
    kept = getattr(store, "_kept", None)
    return {"kept": len(kept) if kept is not None else 0}
