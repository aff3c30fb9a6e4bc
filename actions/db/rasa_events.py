"""Rasa's tracker-store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), the columns we read.

The table stays Rasa's: this is only a description of it for queries (retention, the care rounds).
"""
from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table

EVENTS = Table(
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
)
