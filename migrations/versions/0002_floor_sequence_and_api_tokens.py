"""The floor sequence of each hall (events numbered per hall for the displays) and staff
API tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:25:20.302330

Every change here is made in place (ALTER TABLE ADD COLUMN, CREATE INDEX): rebuilding the
events table on SQLite would drop its append-only triggers.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('label', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_api_tokens_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_staff_id'), 'api_tokens', ['staff_id'], unique=False)
    op.add_column('events', sa.Column('seq', sa.BigInteger(), nullable=True))
    op.create_index('uq_events_hall_seq', 'events', ['hall_id', 'seq'], unique=True)
    op.add_column('halls', sa.Column('floor_seq', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    # SQLite (3.35+) drops a column in place too.
    op.drop_column('halls', 'floor_seq')
    op.drop_index('uq_events_hall_seq', table_name='events')
    op.drop_column('events', 'seq')
    op.drop_index(op.f('ix_api_tokens_staff_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
