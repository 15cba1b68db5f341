"""Uploaded files (issue 15): one row per stored file, its bytes in the storage back-end.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:30:00.000000

A new table only (CREATE TABLE, CREATE INDEX), in place on both databases.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=60), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('retain_until', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('deleted_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_stored_files_hall_id_halls')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['staff.id'], name=op.f('fk_stored_files_uploaded_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_stored_files_storage_key')),
    )
    op.create_index('ix_stored_files_owner', 'stored_files', ['owner', 'owner_id'], unique=False)
    op.create_index('ix_stored_files_hall_created', 'stored_files', ['hall_id', 'created_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_stored_files_hall_created', table_name='stored_files')
    op.drop_index('ix_stored_files_owner', table_name='stored_files')
    op.drop_table('stored_files')
