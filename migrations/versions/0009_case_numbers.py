"""Case numbers (办件编号): BJ + day + node + serial + check, unique across halls.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-05 09:00:00.000000

Existing cases get the number they would have had: the day of acceptance in the hall's zone,
numbered in the order they were accepted; each hall's daily counter ``case_no`` is set to the
last one, so that a case accepted later that day takes the next number. Made in place (ALTER
TABLE ADD COLUMN, CREATE INDEX): rebuilding ``cases`` on SQLite would lose the WHERE of its
partial indexes.
"""
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
from stdnum.iso7064 import mod_11_2

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COUNTER = "case_no"  # hall.issuing.CASES


def _number(day, node_no: int, serial: int) -> str:
    """hall.numbers.case_number, as it was written when this migration was (a migration does
    not follow later changes of the code)."""
    body = f"{day:%y%m%d}{node_no:03d}{serial:04d}"
    return "BJ" + body + mod_11_2.calc_check_digit(body)


def upgrade():
    # NOT NULL needs a default for the rows already there; they are all numbered below.
    op.add_column('cases', sa.Column('case_no', sa.String(length=16), nullable=False,
                                     server_default=''))
    bind = op.get_bind()
    halls = {row.id: row for row in bind.execute(sa.text(
        "SELECT id, node_no, timezone FROM halls"))}
    serials: dict[tuple, int] = defaultdict(int)
    for case_id, hall_id, accepted_at in bind.execute(sa.text(
            "SELECT id, hall_id, accepted_at FROM cases ORDER BY id")).all():
        hall = halls[hall_id]
        if isinstance(accepted_at, str):  # SQLite hands back the stored text
            accepted_at = datetime.fromisoformat(accepted_at)
        day = accepted_at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(hall.timezone)).date()
        serials[(hall_id, day)] += 1
        bind.execute(sa.text("UPDATE cases SET case_no = :no WHERE id = :id"),
                     {"no": _number(day, hall.node_no, serials[(hall_id, day)]), "id": case_id})
    for (hall_id, day), last in serials.items():
        bind.execute(sa.text("INSERT INTO daily_counters (hall_id, day, name, value) "
                             "VALUES (:hall, :day, :name, :value)"),
                     {"hall": hall_id, "day": day, "name": COUNTER, "value": last})
    if bind.dialect.name == 'postgresql':
        op.alter_column('cases', 'case_no', server_default=None)
    op.create_index('uq_cases_case_no', 'cases', ['case_no'], unique=True)


def downgrade():
    op.drop_index('uq_cases_case_no', table_name='cases')
    op.execute(sa.text(f"DELETE FROM daily_counters WHERE name = '{COUNTER}'"))
    # SQLite (3.35+) drops a column in place too.
    op.drop_column('cases', 'case_no')
