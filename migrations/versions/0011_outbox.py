"""The outbox: notifications to visitors (booking made, moved, cancelled, the reminder, nearly
your turn, called, every case step), each attempt to send one; the bookings by ticket (the
outbox looks a called ticket's booking up by it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:45:00.000000

Made in place (CREATE TABLE, CREATE INDEX) on SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table('outbox',
    sa.Column('id', BigId, nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_status')),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_outbox_channel')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_attempts')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_outbox_hall_id_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    open_rows = sa.text("status IN ('pending', 'sending')")
    op.create_index('uq_outbox_dedupe_key', 'outbox', ['dedupe_key'], unique=True)
    op.create_index('ix_outbox_due', 'outbox', ['next_attempt_at'],
                    sqlite_where=open_rows, postgresql_where=open_rows)
    op.create_index('ix_outbox_hall_status', 'outbox', ['hall_id', 'status', 'created_at'])
    op.create_table('outbox_attempts',
    sa.Column('id', BigId, nullable=False),
    sa.Column('notification_id', BigId, nullable=False),
    sa.Column('at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.CheckConstraint("result IN ('sent', 'error')", name=op.f('ck_outbox_attempts_result')),
    sa.ForeignKeyConstraint(['notification_id'], ['outbox.id'], name=op.f('fk_outbox_attempts_notification_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attempts'))
    )
    op.create_index('ix_outbox_attempts_notification', 'outbox_attempts', ['notification_id'])
    op.create_index('ix_bookings_ticket', 'bookings', ['ticket_id'])


def downgrade():
    op.drop_index('ix_bookings_ticket', table_name='bookings')
    op.drop_table('outbox_attempts')
    op.drop_table('outbox')
