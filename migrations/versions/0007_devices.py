"""Devices of a hall (kiosks, wall displays, rating tablets), and the device that issued
each ticket and took each rating.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04 18:00:00.000000

The two new columns are added in place (ALTER TABLE ADD COLUMN, with its foreign key written
inline on SQLite): rebuilding ``tickets`` and ``ratings`` would copy the hall's largest
tables and trip over the rows that refer to them.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

RECORDED_ON = ('tickets', 'ratings')


def upgrade():
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('cookie_hash', sa.String(length=64), nullable=True),
    sa.Column('enrol_hash', sa.String(length=64), nullable=True),
    sa.Column('enrol_expires_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('active_from', sa.Time(), nullable=True),
    sa.Column('active_until', sa.Time(), nullable=True),
    sa.Column('last_seen_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('kiosk', 'display', 'rating')", name=op.f('ck_devices_kind')),
    sa.CheckConstraint("window_no IS NULL OR (kind = 'rating' AND window_no >= 1)",
                       name=op.f('ck_devices_window_of_rating')),
    sa.CheckConstraint('(active_from IS NULL) = (active_until IS NULL)',
                       name=op.f('ck_devices_hours_pair')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_devices_hall_id_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('cookie_hash', name=op.f('uq_devices_cookie_hash')),
    sa.UniqueConstraint('enrol_hash', name=op.f('uq_devices_enrol_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    op.create_index(op.f('ix_devices_hall_id'), 'devices', ['hall_id'], unique=False)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in RECORDED_ON:
        name = f'fk_{table}_device_id_devices'
        if sqlite:
            op.execute(f'ALTER TABLE {table} ADD COLUMN device_id INTEGER '
                       f'CONSTRAINT {name} REFERENCES devices (id)')
        else:
            op.add_column(table, sa.Column('device_id', sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, 'devices', ['device_id'], ['id'])


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in RECORDED_ON:
        if not sqlite:
            op.drop_constraint(f'fk_{table}_device_id_devices', table, type_='foreignkey')
        op.drop_column(table, 'device_id')  # SQLite (3.35+) drops a column in place too
    op.drop_index(op.f('ix_devices_hall_id'), table_name='devices')
    op.drop_table('devices')
