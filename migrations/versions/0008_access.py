"""Access: the windows each clerk may work, and a session version per member of staff.

An installation upgraded from before this revision had no assignments: every clerk could open
any closed window of any hall. So that no hall stops working on the day of the upgrade, every
active clerk is given every window of their own hall (never another hall's); administrators
then narrow it down at /admin/halls/<hall>/windows/<no> or with ``flask admin
assign-windows``. A new installation starts empty (the demo data assigns its own).

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-05 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table copy): staff is referenced by most tables.
    op.add_column('staff', sa.Column('session_version', sa.Integer(), server_default='0',
                                     nullable=False))
    op.create_table('window_clerks',
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE',
                            name=op.f('fk_window_clerks_staff_id_staff')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], ondelete='CASCADE',
                            name=op.f('fk_window_clerks_window_id_windows')),
    sa.PrimaryKeyConstraint('window_id', 'staff_id', name=op.f('pk_window_clerks')),
    )
    op.execute(
        "INSERT INTO window_clerks (window_id, staff_id) "
        "SELECT w.id, s.id FROM windows w JOIN staff s ON s.hall_id = w.hall_id "
        "JOIN staff_roles r ON r.staff_id = s.id AND r.role = 'clerk' "
        "WHERE s.active"
    )


def downgrade():
    op.drop_table('window_clerks')
    op.drop_column('staff', 'session_version')  # SQLite 3.35+ drops a column in place
