"""Row counts of every table, to show that input which was refused wrote nothing."""
from __future__ import annotations

from typing import Dict, Iterable

from sqlalchemy import inspect, text
from sqlalchemy.orm import sessionmaker


def row_counts(sessions: sessionmaker, ignore: Iterable[str] = ()) -> Dict[str, int]:
    """{table: rows} for every table in the database (Rasa's `events` included), minus `ignore`."""
    skipped = set(ignore)
    with sessions() as session:
        connection = session.connection()
        names = [name for name in inspect(connection).get_table_names() if name not in skipped]
        # Table names come from the database's own catalogue, not from input.
        return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}


def grown(before: Dict[str, int], after: Dict[str, int]) -> Dict[str, int]:
    """Tables whose row count changed, with the difference."""
    return {name: after.get(name, 0) - count for name, count in before.items() if after.get(name, 0) != count}
