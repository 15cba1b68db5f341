"""Opening hours and the official calendar in every database: a hall's spans per weekday and
its dated exceptions, the last-ticket minutes of a hall, daily reports kept in versions, and
the official working-day calendar of the years ``chinesecalendar`` carries (2004–2026).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 09:00:00.000000

The calendar comes with the migration so that a database made by ``flask db upgrade`` alone
counts deadlines on the official calendar: no later step can be forgotten. A year already in
the database (an administrator's notice, or an earlier import) is never touched. Going down
leaves the calendar as it is: those rows were valid before this revision too.
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opening_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_opening_hours_weekday')),
    sa.CheckConstraint('opens < closes', name=op.f('ck_opening_hours_span')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'],
                            name=op.f('fk_opening_hours_hall_id_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours')),
    sa.UniqueConstraint('hall_id', 'weekday', 'opens',
                        name=op.f('uq_opening_hours_hall_id_weekday_opens')),
    )
    op.create_index(op.f('ix_opening_hours_hall_id'), 'opening_hours', ['hall_id'])
    op.create_table('opening_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=True),
    sa.Column('closes', sa.Time(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint('(opens IS NULL) = (closes IS NULL)',
                       name=op.f('ck_opening_exceptions_closed_or_span')),
    sa.CheckConstraint('opens IS NULL OR opens < closes',
                       name=op.f('ck_opening_exceptions_span')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'],
                            name=op.f('fk_opening_exceptions_hall_id_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_exceptions')),
    sa.UniqueConstraint('hall_id', 'day', 'opens',
                        name=op.f('uq_opening_exceptions_hall_id_day_opens')),
    )
    op.create_index(op.f('ix_opening_exceptions_hall_id'), 'opening_exceptions', ['hall_id'])
    op.add_column('halls', sa.Column('last_ticket_minutes', sa.Integer(), nullable=False,
                                     server_default='30'))
    # One report per day becomes versions of it (SQLite rebuilds the table for this).
    with op.batch_alter_table('daily_reports') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('made_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
        batch.drop_constraint('uq_daily_reports_hall_id_day', type_='unique')
        batch.create_unique_constraint(op.f('uq_daily_reports_hall_id_day_version'),
                                       ['hall_id', 'day', 'version'])
        batch.create_check_constraint(op.f('ck_daily_reports_version'), 'version >= 1')
        batch.create_foreign_key(op.f('fk_daily_reports_made_by_id_staff'), 'staff',
                                 ['made_by_id'], ['id'])
    import_official_calendar()


def import_official_calendar():
    """Every year of the ``chinesecalendar`` package that the database does not have yet, as
    ``flask calendar import-official`` enters it (the same source and names)."""
    from hall.calendar import official_source

    notice, by_year = official_source()
    years = sa.table('calendar_years', sa.column('year', sa.Integer()),
                     sa.column('official', sa.Boolean()), sa.column('notice', sa.String()))
    days = sa.table('calendar_days', sa.column('hall_id', sa.Integer()),
                    sa.column('day', sa.Date()), sa.column('kind', sa.String()),
                    sa.column('name', sa.String()))
    bind = op.get_bind()
    present = set(bind.execute(sa.select(years.c.year)).scalars())
    for year in sorted(set(by_year) - present):
        bind.execute(days.delete().where(days.c.hall_id.is_(None),
                                         days.c.day.between(date(year, 1, 1),
                                                            date(year, 12, 31))))
        bind.execute(days.insert(), [{"hall_id": None, "day": d, "kind": k, "name": n}
                                     for d, k, n in sorted(by_year[year])])
        bind.execute(years.insert().values(year=year, official=True, notice=notice))


def downgrade():
    # One report per day again: the re-runs go, the report made at closing stays.
    op.execute('DELETE FROM daily_reports WHERE version > 1')
    with op.batch_alter_table('daily_reports') as batch:
        batch.drop_constraint(op.f('fk_daily_reports_made_by_id_staff'), type_='foreignkey')
        batch.drop_constraint(op.f('ck_daily_reports_version'), type_='check')
        batch.drop_constraint(op.f('uq_daily_reports_hall_id_day_version'), type_='unique')
        batch.create_unique_constraint(op.f('uq_daily_reports_hall_id_day'), ['hall_id', 'day'])
        batch.drop_column('reason')
        batch.drop_column('made_by_id')
        batch.drop_column('version')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops a plain column in place; a rebuild of halls would touch every table
        # that refers to it.
        op.execute('ALTER TABLE halls DROP COLUMN last_ticket_minutes')
    else:
        op.drop_column('halls', 'last_ticket_minutes')
    op.drop_index(op.f('ix_opening_exceptions_hall_id'), table_name='opening_exceptions')
    op.drop_table('opening_exceptions')
    op.drop_index(op.f('ix_opening_hours_hall_id'), table_name='opening_hours')
    op.drop_table('opening_hours')
