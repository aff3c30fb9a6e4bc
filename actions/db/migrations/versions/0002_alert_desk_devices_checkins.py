"""The alert desk, SOS devices and check-ins (issues 15–17): alert kinds, repeats, who answered and
how it ended, the escalation ladder; the words said after an alert; devices; staff notices;
follow-up visits; daily check-ins and inactivity alerts.

Revision ID: 0002
Revises: 0001
Every step is skipped when what it adds is there already: databases made while this round was
being built have some of it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def alert_columns() -> tuple:
    """New columns of `alerts` (made afresh for each run); the NOT NULL ones get the value the code
    writes by default, for the old rows."""
    return (
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="help"),
        sa.Column("repeats", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=60), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("arrived_by", sa.String(length=60), nullable=True),
        sa.Column("resolved_by", sa.String(length=60), nullable=True),
        sa.Column("escalated", sa.Integer(), nullable=False, server_default="0"),
    )


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    have = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("alerts")}
    for column in alert_columns():
        if column.name not in have:
            op.add_column("alerts", column)
    if not _has_table('checkin_plans'):
        op.create_table('checkin_plans',
        sa.Column('resident_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('time', sa.String(length=5), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('resident_id')
        )
    if not _has_table('devices'):
        op.create_table('devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.String(length=64), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=40), nullable=False),
        sa.Column('heartbeat_every_minutes', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=60), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=True),
        sa.Column('last_event', sa.String(length=20), nullable=True),
        sa.Column('last_battery', sa.Integer(), nullable=True),
        sa.Column('silent_notified_at', sa.DateTime(), nullable=True),
        sa.Column('deactivated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('device_id'),
        sa.UniqueConstraint('token_hash')
        )
        op.create_index(op.f('ix_devices_resident_id'), 'devices', ['resident_id'], unique=False)
    if not _has_table('alert_escalations'):
        op.create_table('alert_escalations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('rung', sa.Integer(), nullable=False),
        sa.Column('after_s', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('alert_id', 'rung')
        )
        op.create_index(op.f('ix_alert_escalations_alert_id'), 'alert_escalations', ['alert_id'], unique=False)
    if not _has_table('alert_words'):
        op.create_table('alert_words',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('said_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index(op.f('ix_alert_words_alert_id'), 'alert_words', ['alert_id'], unique=False)
    if not _has_table('checkins'):
        op.create_table('checkins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('mood', sa.String(length=10), nullable=True),
        sa.Column('escalated_at', sa.DateTime(), nullable=True),
        sa.Column('alert_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('resident_id', 'day')
        )
        op.create_index(op.f('ix_checkins_resident_id'), 'checkins', ['resident_id'], unique=False)
    if not _has_table('follow_up_visits'):
        op.create_table('follow_up_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=True),
        sa.Column('due_day', sa.Date(), nullable=False),
        sa.Column('created_by', sa.String(length=60), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('done_by', sa.String(length=60), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('alert_id')
        )
        op.create_index('ix_follow_up_due', 'follow_up_visits', ['done_at', 'due_day'], unique=False)
        op.create_index(op.f('ix_follow_up_visits_resident_id'), 'follow_up_visits', ['resident_id'], unique=False)
    if not _has_table('inactivity_alerts'):
        op.create_table('inactivity_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('silent_since', sa.DateTime(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('resident_id', 'silent_since')
        )
        op.create_index(op.f('ix_inactivity_alerts_resident_id'), 'inactivity_alerts', ['resident_id'], unique=False)
    if not _has_table('staff_notices'):
        op.create_table('staff_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('staff_id', 'alert_id', 'kind')
        )
        op.create_index(op.f('ix_staff_notices_alert_id'), 'staff_notices', ['alert_id'], unique=False)
        op.create_index(op.f('ix_staff_notices_staff_id'), 'staff_notices', ['staff_id'], unique=False)


NEW_TABLES = ("checkin_plans", "devices", "alert_escalations", "alert_words", "checkins", "follow_up_visits",
              "inactivity_alerts", "staff_notices")


def downgrade() -> None:
    """Back to the first release's schema: the tables this revision added go, with what they hold (the
    backup taken before the downgrade keeps it); the alerts keep every row, without the new columns."""
    for name in reversed(NEW_TABLES):
        if _has_table(name):
            op.drop_table(name)
    with op.batch_alter_table("alerts") as batch:
        for column in reversed(alert_columns()):
            batch.drop_column(column.name)
