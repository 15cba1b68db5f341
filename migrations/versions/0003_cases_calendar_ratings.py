"""Cases with deadlines: the working-day calendar, case supervision columns, ratings and
their follow-ups, and job leases.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:20:00.000000

Columns are added to ``cases`` in place. On SQLite a foreign key or a CHECK can only come
with ADD COLUMN itself (Alembic would rebuild the table for a separate constraint), so the
SQL is written out for SQLite; PostgreSQL gets the same constraints by name.
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

UTC = hall.models.base.UTCDateTime

# (name, type, nullable, server default) of the plain new columns of cases
CASE_COLUMNS = [
    ('subject', sa.String(length=200), False, ''),
    ('applicant_id_no', sa.String(length=18), True, None),
    ('applicant_phone', sa.String(length=20), True, None),
    ('yellow_at', UTC(), True, None),
    ('due_provisional', sa.Boolean(), False, sa.false()),
    ('ever_red', sa.Boolean(), False, sa.false()),
    ('red_at', UTC(), True, None),
    ('paused_since', UTC(), True, None),
    ('pause_kind', sa.String(length=20), True, None),
    ('pause_reason', sa.Text(), True, None),
    ('missing_documents', sa.JSON(), False, '[]'),
    ('extension_pending_days', sa.Integer(), True, None),
    ('extension_pending_reason', sa.Text(), True, None),
    ('decision_reason', sa.Text(), True, None),
    ('decided_at', UTC(), True, None),
]
RUNNING = "state IN ('accepted', 'in_progress')"
OPEN = ("state IN ('accepted', 'in_progress', 'awaiting_documents', 'special_procedure', "
        "'decided', 'ready')")


def upgrade():
    op.create_table('job_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=80), nullable=False),
    sa.Column('expires_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases'))
    )
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_calendar_days_kind')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_calendar_days_hall_id_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days'))
    )
    op.create_index('uq_calendar_days_local', 'calendar_days', ['hall_id', 'day'], unique=True, sqlite_where=sa.text('hall_id IS NOT NULL'), postgresql_where=sa.text('hall_id IS NOT NULL'))
    op.create_index('uq_calendar_days_national', 'calendar_days', ['day'], unique=True, sqlite_where=sa.text('hall_id IS NULL'), postgresql_where=sa.text('hall_id IS NULL'))

    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.Column('notice', sa.String(length=200), nullable=False),
    sa.Column('entered_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['staff.id'], name=op.f('fk_calendar_years_entered_by_id_staff')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('created_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('division_id', sa.Integer(), nullable=True),
    sa.Column('followup', sa.String(length=6), nullable=False),
    sa.Column('followup_due_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('followup_yellow_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('followup_warning', sa.String(length=6), nullable=False),
    sa.Column('followup_note', sa.String(length=1000), nullable=False),
    sa.Column('followup_closed_by_id', sa.Integer(), nullable=True),
    sa.Column('followup_closed_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("channel IN ('tracking', 'window')", name=op.f('ck_ratings_channel')),
    sa.CheckConstraint("followup IN ('none', 'open', 'closed')", name=op.f('ck_ratings_followup')),
    sa.CheckConstraint("followup_warning IN ('none', 'yellow', 'red')", name=op.f('ck_ratings_followup_warning')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_ratings_level')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ratings_case_id_cases')),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_ratings_division_id_divisions')),
    sa.ForeignKeyConstraint(['followup_closed_by_id'], ['staff.id'], name=op.f('fk_ratings_followup_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_ratings_hall_id_halls')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_ratings_staff_id_staff')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ratings_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_ratings_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings'))
    )
    op.create_index('ix_ratings_open_followups', 'ratings', ['hall_id', 'followup_due_at'], unique=False, sqlite_where=sa.text("followup = 'open'"), postgresql_where=sa.text("followup = 'open'"))
    op.create_index('uq_ratings_case', 'ratings', ['case_id'], unique=True, sqlite_where=sa.text('case_id IS NOT NULL'), postgresql_where=sa.text('case_id IS NOT NULL'))
    op.create_index('uq_ratings_visit', 'ratings', ['ticket_id'], unique=True, sqlite_where=sa.text('case_id IS NULL'), postgresql_where=sa.text('case_id IS NULL'))

    sqlite = op.get_bind().dialect.name == 'sqlite'
    for name, type_, nullable, default in CASE_COLUMNS:
        op.add_column('cases', sa.Column(name, type_, nullable=nullable, server_default=default))
    if sqlite:
        op.execute("ALTER TABLE cases ADD COLUMN handler_id INTEGER REFERENCES staff (id)")
        op.execute("ALTER TABLE cases ADD COLUMN warning VARCHAR(6) NOT NULL DEFAULT 'none' "
                   "CHECK (warning IN ('none', 'yellow', 'red'))")
        op.execute("ALTER TABLE cases ADD COLUMN extension_days INTEGER NOT NULL DEFAULT 0 "
                   "CHECK (extension_days >= 0)")
    else:
        op.add_column('cases', sa.Column('handler_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_cases_handler_id_staff', 'cases', 'staff', ['handler_id'], ['id'])
        op.add_column('cases', sa.Column('warning', sa.String(length=6), nullable=False,
                                         server_default='none'))
        op.create_check_constraint('ck_cases_warning', 'cases',
                                   "warning IN ('none', 'yellow', 'red')")
        op.add_column('cases', sa.Column('extension_days', sa.Integer(), nullable=False,
                                         server_default='0'))
        op.create_check_constraint('ck_cases_extension_days', 'cases', 'extension_days >= 0')
    op.drop_index('ix_cases_division_due', table_name='cases')
    op.create_index('ix_cases_inbox', 'cases', ['division_id', 'due_at'],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index('ix_cases_to_yellow', 'cases', ['yellow_at'],
                    sqlite_where=sa.text(f"warning = 'none' AND {RUNNING}"),
                    postgresql_where=sa.text(f"warning = 'none' AND {RUNNING}"))
    op.create_index('ix_cases_to_red', 'cases', ['due_at'],
                    sqlite_where=sa.text(f"warning <> 'red' AND {RUNNING}"),
                    postgresql_where=sa.text(f"warning <> 'red' AND {RUNNING}"))
    op.create_index('ix_cases_ticket', 'cases', ['ticket_id'])


def downgrade():
    op.drop_table('ratings')  # it refers to cases, which may be rebuilt below
    for index in ('ix_cases_ticket', 'ix_cases_to_red', 'ix_cases_to_yellow', 'ix_cases_inbox'):
        op.drop_index(index, table_name='cases')
    op.create_index('ix_cases_division_due', 'cases', ['division_id', 'state', 'due_at'])
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('ck_cases_extension_days', 'cases', type_='check')
        op.drop_constraint('ck_cases_warning', 'cases', type_='check')
        op.drop_constraint('fk_cases_handler_id_staff', 'cases', type_='foreignkey')
    # SQLite (3.35+) drops a column in place, but not one with a foreign key or a CHECK:
    # those three need the table rebuilt.
    with op.batch_alter_table('cases') as batch_op:
        for name in ('handler_id', 'warning', 'extension_days'):
            batch_op.drop_column(name)
    for name, *_ in reversed(CASE_COLUMNS):
        op.drop_column('cases', name)
    op.drop_table('calendar_years')
    op.drop_table('calendar_days')
    op.drop_table('job_leases')
