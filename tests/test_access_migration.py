"""Migration 0008 on an installation that already has halls, windows and clerks: every active
clerk may then work the windows of their own hall (as before the upgrade, less other halls),
so that no hall stops on the day of the upgrade; sessions start at version 0."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from conftest import make_config
from hall.web import create_app
from hall.web.extensions import db

ROWS = [
    "INSERT INTO halls (id, code, node_no, name_zh, name_en, level, timezone, floor_seq) VALUES"
    " (1, 'HQ', 1, '省厅', 'Province', 'province', 'Asia/Shanghai', 0),"
    " (2, 'HRB', 2, '市厅', 'City', 'city', 'Asia/Shanghai', 0)",
    "INSERT INTO windows (id, hall_id, no, state, priority_streak) VALUES"
    " (1, 1, 1, 'closed', 0), (2, 1, 2, 'closed', 0), (3, 2, 1, 'closed', 0)",
    "INSERT INTO staff (id, hall_id, username, name, password_hash, active) VALUES"
    " (1, 1, 'clerk01', 'a', 'x', 1), (2, 2, 'hrb-clerk01', 'b', 'x', 1),"
    " (3, 1, 'gone', 'c', 'x', 0), (4, 1, 'manager', 'd', 'x', 1)",
    "INSERT INTO staff_roles (staff_id, role) VALUES (1, 'clerk'), (2, 'clerk'), (3, 'clerk'),"
    " (4, 'manager')",
]


def test_upgrading_gives_each_clerk_their_own_halls_windows(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.execute(sa.text(statement))
        upgrade(revision="0008")
        with db.engine.connect() as connection:
            pairs = set(connection.execute(sa.text(
                "SELECT s.username, w.hall_id, w.no FROM window_clerks c"
                " JOIN staff s ON s.id = c.staff_id JOIN windows w ON w.id = c.window_id")))
            versions = set(connection.execute(sa.text("SELECT session_version FROM staff")))
        assert pairs == {("clerk01", 1, 1), ("clerk01", 1, 2), ("hrb-clerk01", 2, 1)}
        assert versions == {(0,)}
        downgrade(revision="0005")
        assert "window_clerks" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
