"""Asking, complaining and reporting online (在线咨询、投诉、举报, issue 15): the topics of a
hall and the division owning each, the time limits per hall and kind, the enquiries with their
service numbers and cached deadlines, the thread of each; and the events of an enquiry.

Revision ID: 0015
Revises: 0013 (0012 in the branch alone; re-chained after merging online-files)
Create Date: 2026-12-06 06:30:00.000000

Made in place (CREATE TABLE, ADD COLUMN, CREATE INDEX), like 0007: ``events`` keeps its
append-only triggers.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None

RUNNING = "state IN ('open', 'submitted', 'accepted')"
INBOX = sa.text("state IN ('open', 'submitted', 'accepted', 'answered')")
TO_RED = sa.text(f"warning <> 'red' AND {RUNNING}")
TO_YELLOW = sa.text(f"warning = 'none' AND {RUNNING}")


def upgrade():
    op.create_table('enquiry_rules',
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('respond_days', sa.Integer(), nullable=False),
    sa.Column('respond_unit', sa.String(length=8), nullable=False),
    sa.Column('conclude_days', sa.Integer(), nullable=False),
    sa.Column('conclude_unit', sa.String(length=8), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.CheckConstraint("conclude_unit IN ('working', 'calendar')", name=op.f('ck_enquiry_rules_conclude_unit')),
    sa.CheckConstraint("kind IN ('consultation', 'complaint', 'report')", name=op.f('ck_enquiry_rules_kind')),
    sa.CheckConstraint("respond_unit IN ('working', 'calendar')", name=op.f('ck_enquiry_rules_respond_unit')),
    sa.CheckConstraint('conclude_days BETWEEN 0 AND 365', name=op.f('ck_enquiry_rules_conclude_days')),
    sa.CheckConstraint('extension_days BETWEEN 0 AND 180', name=op.f('ck_enquiry_rules_extension_days')),
    sa.CheckConstraint('respond_days BETWEEN 1 AND 90', name=op.f('ck_enquiry_rules_respond_days')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_enquiry_rules_hall_id_halls')),
    sa.PrimaryKeyConstraint('hall_id', 'kind', name=op.f('pk_enquiry_rules'))
    )
    op.create_table('enquiry_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('for_consultation', sa.Boolean(), nullable=False),
    sa.Column('for_complaint', sa.Boolean(), nullable=False),
    sa.Column('for_report', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_enquiry_topics_division_id_divisions')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_enquiry_topics_hall_id_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry_topics')),
    sa.UniqueConstraint('hall_id', 'code', name=op.f('uq_enquiry_topics_hall_id_code'))
    )
    op.create_table('enquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('service_no', sa.String(length=16), nullable=False),
    sa.Column('access_code', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('related_case_no', sa.String(length=16), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('respond_days', sa.Integer(), nullable=False),
    sa.Column('respond_unit', sa.String(length=8), nullable=False),
    sa.Column('conclude_days', sa.Integer(), nullable=False),
    sa.Column('conclude_unit', sa.String(length=8), nullable=False),
    sa.Column('extension_limit', sa.Integer(), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('respond_due_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('responded_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('conclude_due_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('concluded_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('due_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('yellow_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('warning', sa.String(length=6), nullable=False),
    sa.Column('ever_red', sa.Boolean(), nullable=False),
    sa.Column('red_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('extension_pending_days', sa.Integer(), nullable=True),
    sa.Column('extension_pending_reason', sa.Text(), nullable=True),
    sa.Column('citizen_replied_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("anonymous = false OR kind = 'report'", name=op.f('ck_enquiries_anonymous_report')),
    sa.CheckConstraint("kind IN ('consultation', 'complaint', 'report')", name=op.f('ck_enquiries_kind')),
    sa.CheckConstraint("state IN ('open', 'answered', 'closed', 'submitted', 'accepted', 'declined', 'concluded')", name=op.f('ck_enquiries_state')),
    sa.CheckConstraint("warning IN ('none', 'yellow', 'red')", name=op.f('ck_enquiries_warning')),
    sa.CheckConstraint('extension_days >= 0', name=op.f('ck_enquiries_extension_days')),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_enquiries_division_id_divisions')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_enquiries_hall_id_halls')),
    sa.ForeignKeyConstraint(['handler_id'], ['staff.id'], name=op.f('fk_enquiries_handler_id_staff')),
    sa.ForeignKeyConstraint(['topic_id'], ['enquiry_topics.id'], name=op.f('fk_enquiries_topic_id_enquiry_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiries')),
    sa.UniqueConstraint('service_no', name=op.f('uq_enquiries_service_no'))
    )
    op.create_index('ix_enquiries_hall_created', 'enquiries', ['hall_id', 'created_at'])
    op.create_index('ix_enquiries_hall_inbox', 'enquiries', ['hall_id', 'due_at'], sqlite_where=INBOX, postgresql_where=INBOX)
    op.create_index('ix_enquiries_inbox', 'enquiries', ['division_id', 'due_at'], sqlite_where=INBOX, postgresql_where=INBOX)
    op.create_index('ix_enquiries_related_case', 'enquiries', ['related_case_no'])
    op.create_index('ix_enquiries_to_red', 'enquiries', ['due_at'], sqlite_where=TO_RED, postgresql_where=TO_RED)
    op.create_index('ix_enquiries_to_yellow', 'enquiries', ['yellow_at'], sqlite_where=TO_YELLOW, postgresql_where=TO_YELLOW)

    op.create_table('enquiry_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enquiry_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=8), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("(author = 'staff') = (staff_id IS NOT NULL)", name=op.f('ck_enquiry_messages_staff_author')),
    sa.CheckConstraint("author IN ('citizen', 'staff')", name=op.f('ck_enquiry_messages_author')),
    sa.ForeignKeyConstraint(['enquiry_id'], ['enquiries.id'], name=op.f('fk_enquiry_messages_enquiry_id_enquiries')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_enquiry_messages_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry_messages'))
    )
    op.create_index('ix_enquiry_messages_enquiry', 'enquiry_messages', ['enquiry_id', 'id'])

    # events: the column and its index in place (rebuilding the table would lose its
    # append-only triggers); on SQLite the foreign key is declared with the column.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE events ADD COLUMN enquiry_id INTEGER '
                   'CONSTRAINT fk_events_enquiry_id_enquiries REFERENCES enquiries (id)')
    else:
        op.add_column('events', sa.Column('enquiry_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_events_enquiry_id_enquiries', 'events', 'enquiries',
                              ['enquiry_id'], ['id'])
    op.create_index('ix_events_enquiry', 'events', ['enquiry_id'])


def downgrade():
    op.drop_index('ix_events_enquiry', table_name='events')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_events_enquiry_id_enquiries', 'events', type_='foreignkey')
    op.drop_column('events', 'enquiry_id')  # SQLite (3.35+) drops a column in place too
    op.drop_table('enquiry_messages')  # its indexes go with it
    op.drop_table('enquiries')
    op.drop_table('enquiry_topics')
    op.drop_table('enquiry_rules')
