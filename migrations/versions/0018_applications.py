"""Applying online (网上申报, issue 15): the items that take applications and their form
fields; the applications with their service numbers, pre-review limit and the case each
becomes once accepted.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 18:40:00.000000

Made in place (ADD COLUMN, CREATE TABLE, CREATE INDEX) on SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('submitted', 'awaiting_documents')")
TO_RED = sa.text("warning <> 'red' AND state = 'submitted'")
TO_YELLOW = sa.text("warning = 'none' AND state = 'submitted'")


def upgrade():
    op.add_column('service_items', sa.Column('apply_online', sa.Boolean(),
                                             server_default=sa.false(), nullable=False))
    op.add_column('service_items', sa.Column('apply_fields', sa.JSON(),
                                             server_default='[]', nullable=False))
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('service_no', sa.String(length=16), nullable=False),
    sa.Column('access_code', sa.String(length=12), nullable=False),
    sa.Column('applicant_name', sa.String(length=40), nullable=False),
    sa.Column('applicant_id_no', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('declared_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('received_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('due_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('yellow_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('warning', sa.String(length=6), nullable=False),
    sa.Column('ever_red', sa.Boolean(), nullable=False),
    sa.Column('red_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('missing_documents', sa.JSON(), nullable=False),
    sa.Column('requested_note', sa.Text(), nullable=True),
    sa.Column('requested_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('resupplied_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('decided_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('prereview_on_time', sa.Boolean(), nullable=True),
    sa.Column('deemed_accepted', sa.Boolean(), nullable=False),
    sa.Column('refuse_reason', sa.Text(), nullable=True),
    sa.Column('withdrawn_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('submitted', 'awaiting_documents', 'accepted', 'refused', "
                       "'withdrawn')", name=op.f('ck_applications_state')),
    sa.CheckConstraint("warning IN ('none', 'yellow', 'red')",
                       name=op.f('ck_applications_warning')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_applications_case_id_cases')),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_applications_division_id_divisions')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_applications_hall_id_halls')),
    sa.ForeignKeyConstraint(['handler_id'], ['staff.id'], name=op.f('fk_applications_handler_id_staff')),
    sa.ForeignKeyConstraint(['service_id'], ['service_items.id'], name=op.f('fk_applications_service_id_service_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('service_no', name=op.f('uq_applications_service_no'))
    )
    op.create_index('ix_applications_inbox', 'applications', ['division_id', 'due_at'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_applications_hall_inbox', 'applications', ['hall_id', 'due_at'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_applications_to_red', 'applications', ['due_at'],
                    sqlite_where=TO_RED, postgresql_where=TO_RED)
    op.create_index('ix_applications_to_yellow', 'applications', ['yellow_at'],
                    sqlite_where=TO_YELLOW, postgresql_where=TO_YELLOW)
    op.create_index('ix_applications_hall_created', 'applications', ['hall_id', 'created_at'])


def downgrade():
    op.drop_table('applications')
    op.drop_column('service_items', 'apply_fields')
    op.drop_column('service_items', 'apply_online')
