"""Results in the open (办理结果公开) and public notice (公示): an item's results public by law,
a hall's unit of notice days, the notices and the objections raised against them (each
objection a complaint, ``enquiries`` of 0015).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-08 09:00:00.000000

Made in place (ADD COLUMN, CREATE TABLE, CREATE INDEX) on SQLite and PostgreSQL: no table is
rebuilt (the hall's unit is checked by the domain, not by a CHECK, for that reason).
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None

RUNNING = sa.text("ended_at IS NULL")


def upgrade():
    op.add_column('service_items', sa.Column('results_public', sa.Boolean(),
                                             server_default=sa.false(), nullable=False))
    op.add_column('halls', sa.Column('notice_unit', sa.String(length=8),
                                     server_default='working', nullable=False))
    decided = sa.text("decided_at IS NOT NULL")
    op.create_index('ix_cases_service_decided', 'cases', ['service_id', 'decided_at'],
                    sqlite_where=decided, postgresql_where=decided)
    op.create_index('ix_cases_hall_decided', 'cases', ['hall_id', 'decided_at'],
                    sqlite_where=decided, postgresql_where=decided)
    op.create_table('public_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('started_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('objections', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint("unit IN ('working', 'calendar')", name=op.f('ck_public_notices_unit')),
    sa.CheckConstraint('days BETWEEN 1 AND 30', name=op.f('ck_public_notices_days')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('period_over', 'cut_short', "
                       "'case_closed')", name=op.f('ck_public_notices_outcome')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_public_notices_case_id_cases')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_public_notices_hall_id_halls')),
    sa.ForeignKeyConstraint(['started_by_id'], ['staff.id'], name=op.f('fk_public_notices_started_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notices'))
    )
    op.create_index('uq_public_notices_running_case', 'public_notices', ['case_id'],
                    unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING)
    op.create_index('ix_public_notices_running', 'public_notices', ['ends_at'],
                    sqlite_where=RUNNING, postgresql_where=RUNNING)
    op.create_index('ix_public_notices_hall', 'public_notices', ['hall_id', 'started_at'])
    op.create_table('notice_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('received_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notice_objections_case_id_cases')),
    sa.ForeignKeyConstraint(['complaint_id'], ['enquiries.id'], name=op.f('fk_notice_objections_complaint_id_enquiries')),
    sa.ForeignKeyConstraint(['notice_id'], ['public_notices.id'], name=op.f('fk_notice_objections_notice_id_public_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_objections'))
    )
    op.create_index('ix_notice_objections_notice', 'notice_objections', ['notice_id'])
    op.create_index('ix_notice_objections_case', 'notice_objections', ['case_id'])


def downgrade():
    op.drop_table('notice_objections')
    op.drop_table('public_notices')
    op.drop_index('ix_cases_hall_decided', table_name='cases')
    op.drop_index('ix_cases_service_decided', table_name='cases')
    op.drop_column('halls', 'notice_unit')
    op.drop_column('service_items', 'results_public')
