"""Remote queueing (远程取号): a ticket taken from home waits "not yet arrived" (``away``)
until its visitor checks in at the hall; the hall's share of a day kept for them; one row per
remote ticket, unique per mobile number, item and day.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:50:00.000000

Made in place (CREATE TABLE, ADD COLUMN), like 0010: rebuilding ``tickets`` on SQLite is
not needed.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tickets', sa.Column('away', sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
    # A CHECK cannot be added in place on SQLite: booking_rules (a row per hall, nothing
    # refers to it) is rebuilt there by batch mode, its own CHECKs carried over.
    with op.batch_alter_table('booking_rules') as batch:
        batch.add_column(sa.Column('remote_percent', sa.Integer(), server_default='20',
                                   nullable=False))
        batch.create_check_constraint(op.f('ck_booking_rules_remote_percent'),
                                      'remote_percent BETWEEN 0 AND 100')
    op.create_table('remote_tickets',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_remote_tickets_hall_id_halls')),
    sa.ForeignKeyConstraint(['service_id'], ['service_items.id'], name=op.f('fk_remote_tickets_service_id_service_items')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_remote_tickets_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_remote_tickets')),
    sa.UniqueConstraint('hall_id', 'day', 'service_id', 'phone', name=op.f('uq_remote_tickets_hall_id_day_service_id_phone')),
    )


def downgrade():
    op.drop_table('remote_tickets')
    with op.batch_alter_table('booking_rules') as batch:
        batch.drop_constraint(op.f('ck_booking_rules_remote_percent'), type_='check')
        batch.drop_column('remote_percent')
    op.drop_column('tickets', 'away')
