"""Alembic's environment: run the revisions on the connection the caller opened (actions/db/schema.py).

This folder is not a Python package on purpose: the action server imports every module under
`actions/`, and this file runs the migrations when Alembic loads it. Docs: docs/migrations.md.

The caller holds one transaction around all revisions, so a failing upgrade leaves the database as
it was. Rasa's `events` table lives in the same database but is Rasa's: migrations never touch it.
"""
from __future__ import annotations

from alembic import context

from actions.db.models import Base

NOT_OURS = {"events"}


def include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in NOT_OURS)


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `xiaonuan migrate` (actions/db/schema.py opens the connection)")
    context.configure(connection=connection, target_metadata=Base.metadata, include_name=include_name,
                      compare_type=True, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
