"""The public Q&A's sequence per hall: moved by every publish and withdrawal, so that a search
answered once is answered again from memory while nothing was published or withdrawn (#13.2).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 22:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('halls', sa.Column('qa_seq', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('halls') as batch_op:
        batch_op.drop_column('qa_seq')
