"""Appointments: a hall's booking rules, each item's places, the places taken per slot, the
bookings; a ticket checked in from a booking carries its slot's start.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:14:37.233691

Made in place (CREATE TABLE, ADD COLUMN): rebuilding ``tickets`` on SQLite is not needed.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_rules',
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('walk_in_percent', sa.Integer(), nullable=False),
    sa.Column('days_ahead', sa.Integer(), nullable=False),
    sa.Column('cancel_before_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('cancel_before_minutes BETWEEN 0 AND 10080', name=op.f('ck_booking_rules_cancel_before')),
    sa.CheckConstraint('days_ahead BETWEEN 1 AND 60', name=op.f('ck_booking_rules_days_ahead')),
    sa.CheckConstraint('slot_minutes BETWEEN 5 AND 240', name=op.f('ck_booking_rules_slot_minutes')),
    sa.CheckConstraint('walk_in_percent BETWEEN 0 AND 100', name=op.f('ck_booking_rules_walk_in_percent')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_booking_rules_hall_id_halls')),
    sa.PrimaryKeyConstraint('hall_id', name=op.f('pk_booking_rules'))
    )
    op.create_table('service_booking',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('bookable', sa.Boolean(), nullable=False),
    sa.Column('places_per_slot', sa.Integer(), nullable=True),
    sa.CheckConstraint('places_per_slot IS NULL OR places_per_slot BETWEEN 0 AND 500', name=op.f('ck_service_booking_places')),
    sa.ForeignKeyConstraint(['service_id'], ['service_items.id'], name=op.f('fk_service_booking_service_id_service_items')),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_service_booking'))
    )
    op.create_table('slot_places',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('start', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.CheckConstraint('taken >= 0', name=op.f('ck_slot_places_taken')),
    sa.ForeignKeyConstraint(['service_id'], ['service_items.id'], name=op.f('fk_slot_places_service_id_service_items')),
    sa.PrimaryKeyConstraint('service_id', 'start', name=op.f('pk_slot_places'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('booking_code', sa.String(length=8), nullable=False),
    sa.Column('service_no', sa.String(length=16), nullable=False),
    sa.Column('access_code', sa.String(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('end', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('changed_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('booked', 'checked_in', 'cancelled', 'missed')", name=op.f('ck_bookings_status')),
    sa.CheckConstraint('start < "end"', name=op.f('ck_bookings_span')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_bookings_hall_id_halls')),
    sa.ForeignKeyConstraint(['service_id'], ['service_items.id'], name=op.f('fk_bookings_service_id_service_items')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_bookings_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('booking_code', name=op.f('uq_bookings_booking_code')),
    sa.UniqueConstraint('service_no', name=op.f('uq_bookings_service_no'))
    )
    active = sa.text("status IN ('booked', 'checked_in')")
    op.create_index('ix_bookings_hall_day', 'bookings', ['hall_id', 'day', 'status'])
    op.create_index('ix_bookings_phone', 'bookings', ['phone', 'status'])
    op.create_index('uq_bookings_id_active', 'bookings', ['service_id', 'day', 'id_number'],
                    unique=True, sqlite_where=active, postgresql_where=active)
    op.create_index('uq_bookings_phone_active', 'bookings', ['service_id', 'day', 'phone'],
                    unique=True, sqlite_where=active, postgresql_where=active)
    op.add_column('windows', sa.Column('appointment_streak', sa.Integer(), server_default='0',
                                       nullable=False))
    op.add_column('tickets', sa.Column('appointment_at', hall.models.base.UTCDateTime(),
                                       nullable=True))



def downgrade():
    # Native DROP COLUMN: a batch rebuild would rewrite the table's foreign keys, and 0007's
    # downgrade then could no longer drop its own column.
    op.drop_column('tickets', 'appointment_at')
    op.drop_column('windows', 'appointment_streak')

    op.drop_table('bookings')
    op.drop_table('slot_places')
    op.drop_table('service_booking')
    op.drop_table('booking_rules')
