"""The queue index ends with ``is_priority``: issuing a ticket counts the priority visitors
waiting for its service, and that count now reads the index alone instead of every waiting
ticket's row (#13.1).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 01:00:00.000000
"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_OLD = ['hall_id', 'day', 'status', 'service_id', 'queued_at']


# Plain index statements, no batch: on SQLite a batch may copy the whole tickets table.
def upgrade():
    op.drop_index('ix_tickets_queue', table_name='tickets')
    op.create_index('ix_tickets_queue', 'tickets', _OLD + ['is_priority'], unique=False)


def downgrade():
    op.drop_index('ix_tickets_queue', table_name='tickets')
    op.create_index('ix_tickets_queue', 'tickets', _OLD, unique=False)
