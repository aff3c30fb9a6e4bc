"""Reminders and messages between family and the kiosk (issue 19, parts 1 and 2): `reminders`, who
follows them (`reminder_followers`), each time one fell due (`reminder_occurrences`), and the
messages between a relative and a resident (`family_notes`).

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_TABLES = ("reminders", "reminder_followers", "reminder_occurrences", "family_notes")


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if not _has_table("reminders"):
        op.create_table("reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=60), nullable=False),
        sa.Column("daily", sa.Boolean(), nullable=False),
        sa.Column("time", sa.String(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.Column("stopped_by", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
        )
        op.create_index("ix_reminder_resident_active", "reminders", ["resident_id", "active"], unique=False)
    if not _has_table("reminder_followers"):
        op.create_table("reminder_followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("family_member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["family_member_id"], ["family_members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reminder_id", "family_member_id")
        )
        op.create_index(op.f("ix_reminder_followers_reminder_id"), "reminder_followers", ["reminder_id"],
                        unique=False)
    if not _has_table("reminder_occurrences"):
        op.create_table("reminder_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("said_at", sa.DateTime(), nullable=True),
        sa.Column("says", sa.Integer(), nullable=False),
        sa.Column("next_say_at", sa.DateTime(), nullable=True),
        sa.Column("snoozed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reminder_id", "due_at")
        )
        op.create_index("ix_reminder_occ_status", "reminder_occurrences", ["status", "due_at"], unique=False)
        op.create_index(op.f("ix_reminder_occurrences_resident_id"), "reminder_occurrences", ["resident_id"],
                        unique=False)
    if not _has_table("family_notes"):
        op.create_table("family_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("family_member_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audio_path", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("heard_at", sa.DateTime(), nullable=True),
        sa.Column("reply_to", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["family_member_id"], ["family_members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
        )
        op.create_index("ix_family_note_resident_heard", "family_notes", ["resident_id", "heard_at"], unique=False)


def downgrade() -> None:
    """Back to 0002: the reminders and messages go with what they hold (the backup keeps them)."""
    for name in reversed(NEW_TABLES):
        if _has_table(name):
            op.drop_table(name)
