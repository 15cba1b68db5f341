"""A manager's inbox: the hall's open cases by deadline, from an index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:45:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN = ("state IN ('accepted', 'in_progress', 'awaiting_documents', 'special_procedure', "
        "'decided', 'ready')")


def upgrade():
    op.create_index('ix_cases_hall_inbox', 'cases', ['hall_id', 'due_at'],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index('ix_cases_hall_inbox', table_name='cases')
